package io.rproxy.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThroughputReportTest {
    private static List<ThroughputReport.Run> runs(String... lines) {
        return Arrays.stream(lines).map(ThroughputReport.Run::parse).toList();
    }

    @Test
    void medianOfOddAndEvenRounds() {
        List<ThroughputReport.Run> three = runs("SET -P 1\trproxy\t1\t300\t1\t2\t0", "SET -P 1\trproxy\t2\t100\t1\t2\t0",
                "SET -P 1\trproxy\t3\t200\t1\t2\t0");
        assertEquals(200, ThroughputReport.median(three, ThroughputReport.Run::rps));
        assertEquals(150, ThroughputReport.median(three.subList(1, 3), ThroughputReport.Run::rps));
    }

    @Test
    void rowsKeepTheOrderOfTheFileAndRatiosUseMedians() {
        String md = new ThroughputReport(runs(
                "SET -P 1\tdirect\t1\t400\t0.1\t0.2\t1",
                "SET -P 1\tnutcracker\t1\t200\t0.2\t0.4\t3",
                "SET -P 1\trproxy\t1\t220\t0.2\t0.5\t2",
                "GET -P 1\tdirect\t1\t500\t0.1\t0.2\t1",
                "GET -P 1\tnutcracker\t1\t250\t0.2\t0.4\t1",
                "GET -P 1\trproxy\t1\t200\t0.2\t0.3\t1")).markdown();
        assertTrue(md.startsWith("| test | direct rps | p50 | p99 | nutcracker rps | p50 | p99 | rproxy rps | p50 | p99"
                + " | rproxy / nutcracker | rproxy / direct |\n"), md);
        assertTrue(md.indexOf("| SET -P 1 | 400 |") < md.indexOf("| GET -P 1 | 500 |"), md);
        assertTrue(md.contains("| SET -P 1 | 400 | 0.100 | 0.200 | 200 | 0.200 | 0.400 | 220 | 0.200 | 0.500 | 1.10 | 0.55 |"),
                md);
        assertTrue(md.contains("median 1% (at most 3%)"), md);
        assertTrue(md.contains("- SET -P 1: 400; 200; 220\n"), md);
    }

    @Test
    void targetsSayWhichAreMetAndByHowMuchOthersAreMissed() {
        String md = new ThroughputReport(runs(
                "SET -P 1\tnutcracker\t1\t200\t0.2\t0.4\t0",
                "SET -P 1\trproxy\t1\t220\t0.2\t0.5\t0",
                "GET -P 1\tnutcracker\t1\t200\t0.2\t0.4\t0",
                "GET -P 1\trproxy\t1\t200\t0.2\t0.3\t0")).markdown();
        assertTrue(md.contains("| SET rps | SET -P 1 | nutcracker | 1.10 | 1.10 | met |"), md);
        assertTrue(md.contains("| GET rps | GET -P 1 | nutcracker | 1.10 | 1.00 | missed by 9% |"), md);
        assertTrue(md.contains("| SET p99 (theirs / ours) | SET -P 1 | nutcracker | 1.00 | 0.80 | missed by 20% |"), md);
        assertTrue(md.contains("| GET p99 (theirs / ours) | GET -P 1 | nutcracker | 1.00 | 1.33 | met |"), md);
        assertTrue(md.contains("| SET rps | SET -P 16 | nutcracker | 1.25 |  | not measured |"), md);
        assertTrue(md.contains("2 of 4 measured targets met."), md);
    }

    @Test
    void predixyIsHeldToParity() {
        String md = new ThroughputReport(runs(
                "GET 1 client -P 1\tpredixy\t1\t9000\t0.100\t0.2\t0",
                "GET 1 client -P 1\trproxy\t1\t9000\t0.105\t0.2\t0")).markdown();
        assertTrue(md.contains("| GET p50 (theirs / ours) | GET 1 client -P 1 | predixy | 1.00 | 0.95 | missed by 5% |"), md);
    }

    @Test
    void buildsAreComparedWithTheFirstByRequestsAndCpuAndHaveNoGoals() {
        String md = new ThroughputReport(runs(
                "SET -P 1\tHEAD~1\t1\t200\t0.2\t0.4\t1\t20",
                "SET -P 1\tHEAD\t1\t220\t0.2\t0.5\t1\t15",
                "SET -P 1\tworktree\t1\t180\t0.3\t0.6\t1\t25",
                "SET -P 1\tworktree\t2\t100\t0.3\t0.6\t1\t35",
                "SET -P 1\tHEAD\t2\t240\t0.2\t0.5\t1\t13",
                "SET -P 1\tHEAD~1\t2\t200\t0.2\t0.4\t1\t20"), ThroughputReport.Mode.BUILDS).markdown();
        assertTrue(md.startsWith("| test | HEAD~1 rps | p50 | p99 | CPU us/req | HEAD rps | p50 | p99 | CPU us/req"
                + " | worktree rps | p50 | p99 | CPU us/req | HEAD / HEAD~1 rps | HEAD / HEAD~1 CPU"
                + " | worktree / HEAD~1 rps | worktree / HEAD~1 CPU |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"), md);
        assertTrue(md.contains("| SET -P 1 | 200 | 0.200 | 0.400 | 20.0 | 230 | 0.200 | 0.500 | 14.0"
                + " | 140 | 0.300 | 0.600 | 30.0 | 1.15 | 0.70 | 0.70 | 1.50 |\n"), md);
        assertTrue(md.contains("- SET -P 1: 200, 200; 220, 240; 180, 100\n"), md);
        assertFalse(md.contains("Issue 17"), md);
        assertTrue(new ThroughputReport(runs("SET -P 1\tnutcracker\t1\t200\t0.2\t0.4\t0"),
                ThroughputReport.Mode.BUILDS).goals().isEmpty());
    }

    @Test
    void aCpuColumnOnlyWhenMeasuredAndBlankWhereARunHasNone() {
        ThroughputReport.Run run = ThroughputReport.Run.parse("SET -P 1\trproxy\t1\t220\t0.2\t0.5\t2\t12.5");
        assertEquals(12.5, run.cpu());
        assertTrue(Double.isNaN(ThroughputReport.Run.parse("SET -P 1\trproxy\t1\t220\t0.2\t0.5\t2").cpu()));
        String md = new ThroughputReport(runs(
                "SET -P 1\tnutcracker\t1\t200\t0.2\t0.4\t0",
                "SET -P 1\trproxy\t1\t220\t0.2\t0.5\t0\t12.5")).markdown();
        assertTrue(md.startsWith("| test | nutcracker rps | p50 | p99 | CPU us/req | rproxy rps | p50 | p99 | CPU us/req"
                + " | rproxy / nutcracker |\n"), md);
        assertTrue(md.contains("| SET -P 1 | 200 | 0.200 | 0.400 | | 220 | 0.200 | 0.500 | 12.5 | 1.10 |\n"), md);
    }

    @Test
    void aMalformedLineIsRefusedWithTheLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ThroughputReport.Run.parse("SET -P 1\trproxy\t1"));
        assertTrue(e.getMessage().contains("SET -P 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ThroughputReport.Run.parse("SET -P 1\trproxy\t1\t220\t0.2\t0.5\t2\t12.5\t9"));
    }
}
