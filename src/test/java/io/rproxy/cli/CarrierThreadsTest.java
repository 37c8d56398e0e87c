package io.rproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class CarrierThreadsTest {
    @Test
    void defaultIsHalfTheCoresAndAtLeastOne() {
        assertEquals(1, CarrierThreads.defaultCount(1));
        assertEquals(1, CarrierThreads.defaultCount(2));
        assertEquals(1, CarrierThreads.defaultCount(3));
        assertEquals(8, CarrierThreads.defaultCount(16));
    }

    @Test
    void setsCarriersAndOnePollerPerCarrierRoundedDownToAPowerOfTwo() {
        Properties properties = new Properties();
        assertEquals(6, CarrierThreads.configure(0, 12, properties));
        assertEquals("6", properties.getProperty(CarrierThreads.PARALLELISM));
        assertEquals("4", properties.getProperty(CarrierThreads.READ_POLLERS));
    }

    @Test
    void anExplicitCountBeatsTheDefault() {
        Properties properties = new Properties();
        assertEquals(3, CarrierThreads.configure(3, 2, properties));
        assertEquals("3", properties.getProperty(CarrierThreads.PARALLELISM));
        assertEquals("2", properties.getProperty(CarrierThreads.READ_POLLERS));
    }

    @Test
    void propertiesGivenToTheJvmWin() {
        Properties properties = new Properties();
        properties.setProperty(CarrierThreads.PARALLELISM, "5");
        properties.setProperty(CarrierThreads.READ_POLLERS, "1");
        assertEquals(5, CarrierThreads.configure(2, 2, properties));
        assertEquals("5", properties.getProperty(CarrierThreads.PARALLELISM));
        assertEquals("1", properties.getProperty(CarrierThreads.READ_POLLERS));
    }

    @Test
    void badCountsAreRefusedWithTheirValue() {
        assertThrows(IllegalArgumentException.class, () -> CarrierThreads.configure(-1, 2, new Properties()));
        Properties properties = new Properties();
        properties.setProperty(CarrierThreads.PARALLELISM, "many");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CarrierThreads.configure(0, 2, properties));
        assertEquals("-Djdk.virtualThreadScheduler.parallelism=many is not a number", e.getMessage());
    }
}
