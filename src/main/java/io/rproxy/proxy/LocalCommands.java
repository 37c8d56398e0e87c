package io.rproxy.proxy;

import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/** The commands the proxy answers itself, without a backend: PING, ECHO, QUIT, AUTH. */
final class LocalCommands {
    private final Optional<String> password;

    LocalCommands(Optional<String> password) {
        this.password = password;
    }

    /** The reply to a local command, or null when {@code name} is not one. Arity is already checked. */
    Reply answer(String name, RespCommand command, ClientState client) {
        return switch (name) {
            case "ping" -> command.argCount() == 1 ? Reply.PONG : Reply.bulk(command.arg(1));
            case "echo" -> Reply.bulk(command.arg(1));
            case "quit" -> {
                client.quit();
                yield Reply.OK;
            }
            case "auth" -> auth(command, client);
            default -> null;
        };
    }

    /** Whether a client that has not authenticated may run it (Redis lets AUTH, HELLO and QUIT through). */
    static boolean allowedBeforeAuth(String name) {
        return name.equals("auth") || name.equals("quit") || name.equals("hello");
    }

    /** AUTH password, or AUTH default password (Redis 6 form with the only user a proxy has). */
    private Reply auth(RespCommand command, ClientState client) {
        if (password.isEmpty()) {
            return Errors.AUTH_NOT_CONFIGURED;
        }
        if (command.argCount() > 3) {
            return Reply.error("ERR syntax error");
        }
        boolean userOk = command.argCount() == 2 || command.argString(1).equals("default");
        if (userOk && matches(command.arg(command.argCount() - 1))) {
            client.authenticate();
            return Reply.OK;
        }
        return Errors.WRONGPASS;
    }

    private boolean matches(byte[] given) {
        // Constant-time comparison: the admin and data ports may face untrusted networks.
        return MessageDigest.isEqual(given, password.orElseThrow().getBytes(StandardCharsets.UTF_8));
    }
}
