package io.rproxy.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class YieldHintTest {

    /** The flushes that yield, as a string: 'y' yields, '.' writes at once; each yield is answered by othersQueued. */
    private static String pattern(YieldHint hint, int flushes, boolean othersQueued) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < flushes; i++) {
            if (hint.tryYield()) {
                out.append('y');
                hint.yielded(othersQueued);
            } else {
                out.append('.');
            }
        }
        return out.toString();
    }

    @Test
    void aBusyConnectionYieldsAtEveryFlush() {
        assertEquals("yyyyyyyyyy", pattern(new YieldHint(), 10, true));
    }

    @Test
    void aClientAloneYieldsEverDoublingFewerTimesUpToTheBound() {
        YieldHint hint = new YieldHint();
        assertEquals("y.y..y....y........y................y" + ".".repeat(32) + "y" + ".".repeat(64) + "y",
                pattern(hint, 1 + 2 + 3 + 5 + 9 + 17 + 33 + 65, false));
        assertEquals(".".repeat(YieldHint.MAX_SKIPS) + "y", pattern(hint, YieldHint.MAX_SKIPS + 1, false),
                "the skips stop doubling at the bound");
    }

    @Test
    void oneYieldThatBringsOthersEndsTheBackoffAtOnce() {
        YieldHint hint = new YieldHint();
        pattern(hint, 40, false); // backed off
        String skipped = pattern(hint, YieldHint.MAX_SKIPS + 1, true);
        assertEquals('y', skipped.charAt(skipped.length() - 1), "the next yield comes within the bound");
        assertEquals("yyyyy", pattern(hint, 5, true), "and from then on every flush yields");
    }
}
