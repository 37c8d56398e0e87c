package io.rproxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CarrierThreadsTest {
    @Test
    void defaultIsHalfTheCoresAndAtLeastOne() {
        assertEquals(1, CarrierThreads.defaultCount(1));
        assertEquals(1, CarrierThreads.defaultCount(2));
        assertEquals(1, CarrierThreads.defaultCount(3));
        assertEquals(8, CarrierThreads.defaultCount(16));
    }

    @ParameterizedTest(name = "requested {0} on {1} cores: {2} carriers, {3} pollers")
    @CsvSource({
        "0, 12, 6, 4", // the default; pollers rounded down to a power of two, as the JDK wants
        "3, 2, 3, 2",  // an explicit count beats the default
        "1, 64, 1, 1",
    })
    void setsCarriersAndOnePollerPerCarrier(int requested, int cores, int carriers, int pollers) {
        Properties properties = new Properties();
        assertEquals(carriers, CarrierThreads.configure(requested, cores, properties));
        assertEquals(Integer.toString(carriers), properties.getProperty(CarrierThreads.PARALLELISM));
        assertEquals(Integer.toString(pollers), properties.getProperty(CarrierThreads.READ_POLLERS));
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
