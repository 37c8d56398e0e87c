package io.rproxy.command;

import io.rproxy.resp.RespCommand;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** {@link CommandTable#lookup(RespCommand)}: once per request in the dispatcher. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CommandTableBench {
    /** Upper and lower case as clients send them; a container with its subcommand; an unknown command. */
    @Param({"GET", "set", "MGET", "client setname", "nosuchcommand"})
    public String command;

    private CommandTable table;
    private RespCommand request;

    @Setup
    public void setUp() {
        table = CommandTable.load();
        String[] words = command.split(" ");
        String[] args = new String[words.length + 1];
        System.arraycopy(words, 0, args, 0, words.length);
        args[words.length] = "key:000000012345";
        request = RespCommand.of(args);
    }

    @Benchmark
    public CommandSpec lookup() {
        return table.lookup(request);
    }
}
