package io.rproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The pool cursor of {@link PoolScan}: the server's cursor times 10000 plus the server's index. */
class PoolScanTest {
    @Test
    void aServersLastPageMovesToTheNextServerAndTheLastServersEndsTheScan() {
        assertEquals("1", PoolScan.poolCursor(0, 0, 3));
        assertEquals("2", PoolScan.poolCursor(0, 1, 3));
        assertEquals("0", PoolScan.poolCursor(0, 2, 3));
        assertEquals("0", PoolScan.poolCursor(0, 0, 1));
    }

    @Test
    void aServersCursorIsKeptBeforeItsIndex() {
        assertEquals("1230002", PoolScan.poolCursor(123, 2, 3));
        assertEquals("10000", PoolScan.poolCursor(1, 0, 1));
        // the largest server cursor that still fits 64 unsigned bits with index 5
        long max = Long.divideUnsigned(-1L - 5, PoolScan.SERVERS_PER_CURSOR);
        assertEquals(Long.toUnsignedString(max * 10_000 + 5), PoolScan.poolCursor(max, 5, 6));
        assertNull(PoolScan.poolCursor(max + 1, 5, 6));
    }
}
