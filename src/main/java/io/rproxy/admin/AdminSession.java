package io.rproxy.admin;

import io.rproxy.resp.ProtocolException;
import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import io.rproxy.resp.RespLimits;
import io.rproxy.resp.RespReader;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admin connection, on its own virtual thread ({@code admin-<n>}): reads RESP commands (so redis-cli works),
 * requires AUTH first when the admin port has a password, answers each with {@link AdminCommands}. An unknown
 * command or a failing one gets an error reply and the connection stays; a malformed request closes it, as
 * redis-server does.
 */
final class AdminSession {
    private static final Logger log = LoggerFactory.getLogger(AdminSession.class);
    /** Admin requests are short (LOAD and RELOAD send a path, not the file); these bounds are generous. */
    private static final RespLimits LIMITS = new RespLimits(16 * 1024 * 1024, 1024, 64 * 1024);
    private static final Reply NOAUTH = Reply.error("NOAUTH Authentication required.");
    private static final Reply WRONGPASS =
            Reply.error("WRONGPASS invalid username-password pair or user is disabled.");
    private static final Reply NO_PASSWORD = Reply.error("ERR AUTH <password> called without any password "
            + "configured for the admin port. Are you sure your configuration is correct?");

    private final Socket socket;
    private final AdminCommands commands;
    private final Optional<byte[]> password;
    private final ProxyControl proxy;
    private boolean authenticated;

    AdminSession(Socket socket, AdminCommands commands, Optional<String> password, ProxyControl proxy) {
        this.socket = socket;
        this.commands = commands;
        this.password = password.map(p -> p.getBytes(StandardCharsets.UTF_8));
        this.proxy = proxy;
        this.authenticated = password.isEmpty();
    }

    void run() throws IOException {
        RespReader reader = new RespReader(socket.getInputStream(), LIMITS);
        OutputStream out = new BufferedOutputStream(socket.getOutputStream());
        serve(reader, out);
    }

    private void serve(RespReader reader, OutputStream out) throws IOException {
        while (true) {
            RespCommand command;
            try {
                command = reader.readCommand();
            } catch (ProtocolException e) {
                out.write(Reply.error("ERR Protocol error: " + e.getMessage()).bytes());
                out.flush();
                return;
            }
            if (command == null) {
                return;
            }
            String name = command.argString(0).toUpperCase(java.util.Locale.ROOT);
            if (name.equals("QUIT")) {
                out.write(Reply.OK.bytes());
                out.flush();
                return;
            }
            out.write(answer(name, command).bytes());
            if (!reader.hasBufferedInput()) {
                out.flush();
            }
        }
    }

    private Reply answer(String name, RespCommand command) {
        if (name.equals("AUTH")) {
            return auth(command);
        }
        if (!authenticated) {
            return NOAUTH;
        }
        try {
            return commands.execute(command, proxy);
        } catch (RuntimeException e) {
            log.error("admin command {} failed", name, e);
            return Reply.error("ERR " + name + " failed: " + e);
        }
    }

    /** {@code AUTH password} or {@code AUTH default password}, as redis-cli sends either. */
    private Reply auth(RespCommand command) {
        if (command.argCount() < 2 || command.argCount() > 3) {
            return Reply.error("ERR wrong number of arguments for 'auth' command");
        }
        if (password.isEmpty()) {
            return NO_PASSWORD;
        }
        boolean userOk = command.argCount() == 2 || command.argString(1).equals("default");
        byte[] given = command.arg(command.argCount() - 1);
        // Compare in constant time, and always compare, so that timing tells nothing about the password.
        boolean passwordOk = MessageDigest.isEqual(given, password.get());
        authenticated = userOk && passwordOk;
        return authenticated ? Reply.OK : WRONGPASS;
    }
}
