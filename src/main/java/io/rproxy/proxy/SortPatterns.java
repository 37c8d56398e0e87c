package io.rproxy.proxy;

import io.rproxy.resp.RespCommand;
import io.rproxy.routing.HashTag;
import java.util.Optional;

/**
 * SORT and SORT_RO read keys their key specs do not name: those their {@code BY} and {@code GET} patterns make
 * from each element ({@code weight_*}, {@code data_*->field}). Run on the sorted key's server, a pattern's keys
 * that live elsewhere would read as missing and the sort would be silently wrong. A pattern is safe when it
 * reads no key ({@code GET #}, or no {@code *}: Redis then reads nothing) or when every key it makes has the
 * pool's hash tag before the {@code *}, and that tag lives on the sorted key's server ({@code {u}:w_*}).
 *
 * <p>Stateless; called on client threads.
 */
final class SortPatterns {
    private SortPatterns() {}

    /** Whether every BY and GET pattern of {@code command} reads only keys that live on {@code server}. */
    static boolean stayOn(RespCommand command, int server, Pool pool) {
        Optional<HashTag> tag = pool.config().hashTag();
        for (int i = 2; i < command.argCount(); i++) {
            if (command.argEqualsIgnoreCase(i, "limit")) {
                i += 2;
            } else if ((command.argEqualsIgnoreCase(i, "by") || command.argEqualsIgnoreCase(i, "get"))
                    && i + 1 < command.argCount()) {
                i++;
                if (!patternStaysOn(command, i, tag, server, pool)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean patternStaysOn(RespCommand command, int arg, Optional<HashTag> tag, int server,
            Pool pool) {
        byte[] frame = command.frame();
        int start = command.argOffset(arg);
        int end = start + command.argLength(arg);
        int star = indexOf(frame, start, end, (byte) '*');
        if (star < 0) {
            return true; // GET # and patterns without '*' read no key
        }
        if (tag.isEmpty()) {
            return false;
        }
        int open = indexOf(frame, start, star, tag.get().open());
        int close = open < 0 ? -1 : indexOf(frame, open + 1, star, tag.get().close());
        return close > open + 1 && pool.route(frame, start, keyEnd(frame, star, end) - start) == server;
    }

    /** Where a pattern's key ends: at a {@code ->} after the {@code *} followed by a field name, as in Redis. */
    private static int keyEnd(byte[] frame, int star, int end) {
        for (int i = star + 1; i + 2 < end; i++) {
            if (frame[i] == '-' && frame[i + 1] == '>') {
                return i;
            }
        }
        return end;
    }

    private static int indexOf(byte[] b, int from, int end, byte value) {
        for (int i = from; i < end; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
