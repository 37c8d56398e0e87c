/**
 * The RESP codec: a strict, bounded, blocking reader ({@code RespReader}) that parses client commands (multibulk
 * and inline) and server replies from an {@code InputStream} into its own buffer, the parsed command as its raw
 * frame plus argument offsets ({@code RespCommand}: forwarded as it came, never re-encoded), the reply type
 * ({@code Reply}), the limits a peer may make it allocate ({@code RespLimits}) and {@code ProtocolException}.
 *
 * <p>No threads of its own: a reader belongs to the one thread that reads its stream (a client's session thread
 * or a backend connection's reader thread), and keeps the state of a parse on that thread's stack.
 */
package io.rproxy.resp;
