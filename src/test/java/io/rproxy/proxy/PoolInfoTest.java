package io.rproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PoolInfoTest {
    /** As redis-server's bytesToHuman writes used_memory_human and maxmemory_human. */
    @ParameterizedTest
    @CsvSource({"0, 0B", "1023, 1023B", "1024, 1.00K", "3983776, 3.80M", "314572800, 300.00M", "1099511627776, 1.00T"})
    void humanBytesAsRedisWritesThem(long bytes, String human) {
        assertEquals(human, PoolInfo.human(bytes));
    }
}
