package io.rproxy.proxy;

import io.rproxy.command.CommandErrors;
import io.rproxy.backend.ProxyError;
import io.rproxy.resp.Reply;

/**
 * Error replies the proxy makes itself about authentication and routing. Redis's wording for bad commands (unknown,
 * wrong arity) is in {@link CommandErrors}.
 */
final class Errors {
    static final Reply NOAUTH = Reply.error("NOAUTH Authentication required.");
    static final Reply WRONGPASS = Reply.error("WRONGPASS invalid username-password pair or user is disabled.");
    static final Reply AUTH_NOT_CONFIGURED = Reply.error("ERR AUTH <password> called without any password "
            + "configured for the default user. Are you sure your configuration is correct?");

    private Errors() {
    }

    static Reply notSupported(String commandName) {
        return Reply.error("ERR command '" + commandName + "' is not supported by rproxy");
    }

    /** A command the pool's deny_commands lists: NOPERM, as Redis answers a command an ACL forbids. */
    static Reply denied(String commandName, String poolName) {
        return Reply.error("NOPERM rproxy: command '" + commandName + "' is denied in pool '" + poolName
                + "' (deny_commands)");
    }

    /** A command whose keys are optional (EVAL, FCALL) sent without any: nothing says which server to use. */
    static Reply noKeys(String commandName) {
        return ProxyError.of("'" + commandName + "' without keys cannot be routed to a server; "
                + "pass the keys it uses (numkeys > 0)");
    }

    static Reply noServer(String poolName) {
        return ProxyError.of("no server available in pool '" + poolName + "'");
    }
}
