package io.rproxy.resp;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link RespReader#readCommand()} over a pipeline of requests as redis-benchmark sends them: what a client
 * session does for every request. One operation is one command; a fresh reader per pipeline (its 16 KB buffer
 * is part of the cost, spread over the pipeline).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RespReaderBench {
    static final int PIPELINE = 1000;

    private byte[] setGet;
    private byte[] mget10;

    @Setup
    public void setUp() {
        StringBuilder sg = new StringBuilder();
        StringBuilder mg = new StringBuilder();
        for (int i = 0; i < PIPELINE; i++) {
            String key = String.format("key:%012d", i * 7919 % 100_000);
            if (i % 2 == 0) {
                sg.append("*3\r\n$3\r\nSET\r\n$16\r\n").append(key).append("\r\n$3\r\nxxx\r\n");
            } else {
                sg.append("*2\r\n$3\r\nGET\r\n$16\r\n").append(key).append("\r\n");
            }
            mg.append("*11\r\n$4\r\nMGET\r\n");
            for (int k = 0; k < 10; k++) {
                mg.append("$16\r\n").append(String.format("key:%012d", (i * 10 + k) % 100_000)).append("\r\n");
            }
        }
        setGet = sg.toString().getBytes(StandardCharsets.US_ASCII);
        mget10 = mg.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Alternating SET key xxx / GET key, 16-byte keys. */
    @Benchmark
    @OperationsPerInvocation(PIPELINE)
    public void setGet(Blackhole bh) throws IOException {
        readAll(setGet, bh);
    }

    /** MGET of 10 keys. */
    @Benchmark
    @OperationsPerInvocation(PIPELINE)
    public void mget10(Blackhole bh) throws IOException {
        readAll(mget10, bh);
    }

    private static void readAll(byte[] pipeline, Blackhole bh) throws IOException {
        RespReader reader = new RespReader(new ByteArrayInputStream(pipeline), RespLimits.DEFAULT);
        RespCommand command;
        while ((command = reader.readCommand()) != null) {
            bh.consume(command);
        }
    }
}
