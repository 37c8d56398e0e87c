package io.rproxy.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The table half of {@code test-harness/bench}: reads the rounds it measured (a TSV, one line per redis-benchmark
 * run: test, target, round, requests/s, p50 ms, p99 ms, % of the CPU used by other processes, and optionally the
 * target's CPU time per request in microseconds) and prints Markdown: one row per test with each target's medians
 * and the ratios, the requests/s of every round, and, against peers, issue 17's targets, each with its measured ratio
 * and whether it was met. Against peers ({@link Mode#PEERS}, for docs/benchmarks.md) the ratios are rproxy's to each
 * peer; between builds of rproxy ({@link Mode#BUILDS}, {@code bench --builds}) they are each build's to the first.
 * Tests and targets keep the order in which the TSV first names them. No dependencies, so the script runs it with
 * the source launcher ({@code java ThroughputReport.java [--builds] results.tsv}); it is also compiled with the test
 * sources and unit-tested there. Runs on its main thread.
 */
public final class ThroughputReport {
    private static final String RPROXY = "rproxy";
    private static final String NUTCRACKER = "nutcracker";
    private static final String PREDIXY = "predixy";
    private static final String DIRECT = "direct";

    /** What the targets are, and so which ratios and goals the report has. */
    enum Mode {
        /** direct, rproxy and its peers: rproxy's ratio to each peer and to direct, and issue 17's goals. */
        PEERS,
        /** builds of rproxy: each build's ratio to the first, no goals (they are about peers). */
        BUILDS
    }

    /**
     * One redis-benchmark run; {@code cpu} is the target's CPU time per request in microseconds, NaN when the line
     * has no eighth field (the bench measures it for builds, not for peers).
     */
    record Run(String test, String target, int round, double rps, double p50, double p99, double foreignCpu,
               double cpu) {
        static Run parse(String line) {
            String[] f = line.split("\t");
            if (f.length != 7 && f.length != 8) {
                throw new IllegalArgumentException("expected 7 or 8 tab-separated fields, got " + f.length + ": "
                        + line);
            }
            return new Run(f[0], f[1], Integer.parseInt(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4]),
                    Double.parseDouble(f[5]), Double.parseDouble(f[6]),
                    f.length == 8 ? Double.parseDouble(f[7]) : Double.NaN);
        }
    }

    /** The medians of one test against one target over the rounds; cpu is NaN when no round measured it. */
    record Cell(double rps, double p50, double p99, double cpu, List<Double> rounds) {
    }

    /** A ratio column: one target's median over another's, for one figure. */
    record Ratio(String header, String ours, String theirs, Function<Cell, Double> figure) {
        String cell(Map<String, Cell> byTarget) {
            Cell a = byTarget.get(ours);
            Cell b = byTarget.get(theirs);
            return a == null || b == null || Double.isNaN(figure.apply(a)) || Double.isNaN(figure.apply(b)) ? " |"
                    : format(" | %.2f", figure.apply(a) / figure.apply(b));
        }
    }

    /**
     * One of issue 17's targets, called a goal here to keep it apart from the targets the bench runs against: the
     * ratio of rproxy's figure to a peer's must reach {@code bound} (for latencies the peer's over rproxy's, so
     * higher is better everywhere).
     */
    record Goal(String what, String test, String peer, Function<Cell, Double> figure, boolean lowerIsBetter,
               double bound) {
        Double ratio(Map<String, Map<String, Cell>> cells) {
            Map<String, Cell> byTarget = cells.get(test);
            if (byTarget == null || !byTarget.containsKey(RPROXY) || !byTarget.containsKey(peer)) {
                return null;
            }
            double ours = figure.apply(byTarget.get(RPROXY));
            double theirs = figure.apply(byTarget.get(peer));
            return lowerIsBetter ? theirs / ours : ours / theirs;
        }
    }

    private final Mode mode;
    private final List<Run> runs;
    /** Whether any run measured CPU per request: the table then has a CPU column for every target. */
    private final boolean cpuMeasured;
    private final List<String> tests = new ArrayList<>();
    private final List<String> targets = new ArrayList<>();
    /** test → target → medians, in first-seen order. */
    private final Map<String, Map<String, Cell>> cells = new LinkedHashMap<>();

    ThroughputReport(List<Run> runs) {
        this(runs, Mode.PEERS);
    }

    ThroughputReport(List<Run> runs, Mode mode) {
        this.mode = mode;
        this.runs = List.copyOf(runs);
        this.cpuMeasured = runs.stream().anyMatch(run -> !Double.isNaN(run.cpu()));
        Map<String, Map<String, List<Run>>> grouped = new LinkedHashMap<>();
        for (Run run : runs) {
            if (!tests.contains(run.test())) {
                tests.add(run.test());
            }
            if (!targets.contains(run.target())) {
                targets.add(run.target());
            }
            grouped.computeIfAbsent(run.test(), t -> new LinkedHashMap<>())
                    .computeIfAbsent(run.target(), t -> new ArrayList<>()).add(run);
        }
        grouped.forEach((test, byTarget) -> byTarget.forEach((target, list) -> cells
                .computeIfAbsent(test, t -> new LinkedHashMap<>())
                .put(target, new Cell(median(list, Run::rps), median(list, Run::p50), median(list, Run::p99),
                        median(list.stream().filter(run -> !Double.isNaN(run.cpu())).toList(), Run::cpu),
                        list.stream().map(Run::rps).toList()))));
    }

    public static void main(String[] args) throws IOException {
        boolean builds = args.length == 2 && args[0].equals("--builds");
        if (args.length != 1 && !builds) {
            System.err.println("usage: ThroughputReport [--builds] results.tsv");
            System.exit(2);
        }
        List<Run> runs = Files.readAllLines(Path.of(args[args.length - 1])).stream()
                .filter(line -> !line.isBlank()).map(Run::parse).toList();
        System.out.print(new ThroughputReport(runs, builds ? Mode.BUILDS : Mode.PEERS).markdown());
    }

    String markdown() {
        StringBuilder out = new StringBuilder();
        table(out);
        foreignCpu(out);
        everyRound(out);
        targetsMet(out);
        return out.toString();
    }

    /** The median of a figure over some runs; NaN over none. */
    static double median(List<Run> list, Function<Run, Double> figure) {
        double[] values = list.stream().mapToDouble(figure::apply).sorted().toArray();
        int n = values.length;
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    private List<String> peersOfRproxy() {
        return targets.stream().filter(t -> !t.equals(RPROXY) && !t.equals(DIRECT)).toList();
    }

    /**
     * Against peers: rproxy's requests/s over each peer's and direct's; between builds: each build's requests/s and
     * CPU per request over the first build's.
     */
    private List<Ratio> ratios() {
        List<Ratio> list = new ArrayList<>();
        if (mode == Mode.BUILDS) {
            String first = targets.isEmpty() ? "" : targets.get(0);
            for (String build : targets.subList(1, targets.size())) {
                list.add(new Ratio(build + " / " + first + " rps", build, first, Cell::rps));
                if (cpuMeasured) {
                    list.add(new Ratio(build + " / " + first + " CPU", build, first, Cell::cpu));
                }
            }
            return list;
        }
        List<String> ratioTo = new ArrayList<>(peersOfRproxy());
        if (targets.contains(DIRECT)) {
            ratioTo.add(DIRECT);
        }
        for (String peer : ratioTo) {
            list.add(new Ratio("rproxy / " + peer, RPROXY, peer, Cell::rps));
        }
        return list;
    }

    private void table(StringBuilder out) {
        StringBuilder header = new StringBuilder("| test");
        StringBuilder rule = new StringBuilder("|---");
        for (String target : targets) {
            header.append(" | ").append(target).append(" rps | p50 | p99").append(cpuMeasured ? " | CPU us/req" : "");
            rule.append("|---:|---:|---:").append(cpuMeasured ? "|---:" : "");
        }
        List<Ratio> ratios = ratios();
        for (Ratio ratio : ratios) {
            header.append(" | ").append(ratio.header());
            rule.append("|---:");
        }
        out.append(header).append(" |\n").append(rule).append("|\n");
        for (String test : tests) {
            Map<String, Cell> byTarget = cells.get(test);
            out.append("| ").append(test);
            for (String target : targets) {
                Cell cell = byTarget.get(target);
                out.append(cell == null ? " | | |"
                        : format(" | %.0f | %.3f | %.3f", cell.rps(), cell.p50(), cell.p99()));
                if (cpuMeasured) {
                    out.append(cell == null || Double.isNaN(cell.cpu()) ? " |" : format(" | %.1f", cell.cpu()));
                }
            }
            for (Ratio ratio : ratios) {
                out.append(ratio.cell(byTarget));
            }
            out.append(" |\n");
        }
        out.append('\n');
    }

    private void foreignCpu(StringBuilder out) {
        double max = runs.stream().mapToDouble(Run::foreignCpu).max().orElse(0);
        out.append(format("Other processes on this machine used a median %.0f%% (at most %.0f%%) of its CPU during "
                + "the measured runs\n", median(runs, Run::foreignCpu), max));
        out.append("(/proc/stat minus the ticks of the servers, proxies and redis-benchmark); more than a few percent "
                + "disturbs the numbers.\n\n");
    }

    private void everyRound(StringBuilder out) {
        out.append("Requests/s of every round (").append(String.join(" ", targets)).append("):\n\n");
        for (String test : tests) {
            out.append("- ").append(test).append(':');
            String separator = " ";
            for (String target : targets) {
                Cell cell = cells.get(test).get(target);
                List<String> rounds = cell == null ? List.of()
                        : cell.rounds().stream().map(r -> format("%.0f", r)).toList();
                out.append(separator).append(String.join(", ", rounds));
                separator = "; ";
            }
            out.append('\n');
        }
        out.append('\n');
    }

    /** Issue 17's targets, for every peer that ran; none between builds. */
    List<Goal> goals() {
        List<Goal> list = new ArrayList<>();
        if (mode == Mode.BUILDS) {
            return list;
        }
        for (String peer : peersOfRproxy()) {
            boolean nutcracker = peer.equals(NUTCRACKER);
            double pipeline1 = nutcracker ? 1.10 : 1.0;
            double pipeline16 = nutcracker ? 1.25 : 1.0;
            for (String command : List.of("SET", "GET")) {
                list.add(new Goal(command + " rps", command + " -P 1", peer, Cell::rps, false, pipeline1));
                list.add(new Goal(command + " rps", command + " -P 16", peer, Cell::rps, false, pipeline16));
                list.add(new Goal(command + " p99 (theirs / ours)", command + " -P 1", peer, Cell::p99, true, 1.0));
            }
            for (String command : List.of("MSET", "MGET")) {
                list.add(new Goal(command + " rps", command + " 10 keys -P 1", peer, Cell::rps, false, 1.0));
            }
            list.add(new Goal("GET p50 (theirs / ours)", "GET 1 client -P 1", peer, Cell::p50, true,
                    nutcracker ? 1 / 1.1 : 1.0));
        }
        return list;
    }

    private void targetsMet(StringBuilder out) {
        List<Goal> list = goals();
        if (list.isEmpty()) {
            return;
        }
        out.append("Issue 17's targets (a ratio >= its bound meets it; for latencies the peer's figure over rproxy's):\n\n");
        out.append("| target | test | peer | bound | measured | |\n|---|---|---|---:|---:|---|\n");
        int met = 0;
        int measured = 0;
        for (Goal goal : list) {
            Double ratio = goal.ratio(cells);
            String verdict;
            if (ratio == null) {
                verdict = "not measured";
            } else {
                measured++;
                boolean ok = ratio >= goal.bound() - 1e-9;
                met += ok ? 1 : 0;
                verdict = ok ? "met" : format("missed by %.0f%%", 100 * (goal.bound() - ratio) / goal.bound());
            }
            out.append(format("| %s | %s | %s | %.2f | %s | %s |\n", goal.what(), goal.test(), goal.peer(),
                    goal.bound(), ratio == null ? "" : format("%.2f", ratio), verdict));
        }
        out.append(format("\n%d of %d measured targets met.\n\n", met, measured));
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
