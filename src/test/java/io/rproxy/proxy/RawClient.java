package io.rproxy.proxy;

import io.rproxy.resp.Reply;
import io.rproxy.resp.RespCommand;
import io.rproxy.resp.RespLimits;
import io.rproxy.resp.RespReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A RESP client for tests that must see replies byte for byte: it sends requests as given and returns each reply
 * as the {@link Reply} bytes the server wrote, errors included (no exception per error reply, unlike Jedis).
 */
final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final RespReader in;

    RawClient(int port) {
        try {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            out = socket.getOutputStream();
            in = new RespReader(socket.getInputStream(), RespLimits.DEFAULT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Reply call(String... args) {
        return call(List.of(args));
    }

    Reply call(List<String> args) {
        return pipeline(List.of(args)).getFirst();
    }

    /** Sends every request in one write, then reads one reply per request. */
    List<Reply> pipeline(List<List<String>> requests) {
        List<byte[]> frames = new ArrayList<>();
        for (List<String> request : requests) {
            frames.add(RespCommand.of(request.toArray(String[]::new)).frame());
        }
        return pipelineFrames(frames);
    }

    /** Sends raw request frames in one write, then reads one reply per frame. */
    List<Reply> pipelineFrames(List<byte[]> frames) {
        try {
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            for (byte[] frame : frames) {
                all.write(frame);
            }
            out.write(all.toByteArray());
            out.flush();
            List<Reply> replies = new ArrayList<>(frames.size());
            for (int i = 0; i < frames.size(); i++) {
                Reply reply = in.readReply();
                if (reply == null) {
                    throw new IOException("connection closed after " + i + " of " + frames.size() + " replies");
                }
                replies.add(reply);
            }
            return replies;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends raw request frames and reads nothing (a request that blocks, its client then left). */
    void pipelineFramesAsync(List<byte[]> frames) {
        try {
            for (byte[] frame : frames) {
                out.write(frame);
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one reply (to a request sent before). */
    Reply read() {
        try {
            return in.readReply();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the server has closed the connection (reads end-of-stream). */
    boolean closedByPeer() {
        try {
            return in.readReply() == null;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
