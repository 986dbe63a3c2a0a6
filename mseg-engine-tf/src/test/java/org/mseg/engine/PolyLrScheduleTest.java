package org.mseg.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** MSeg's poly schedule: base rate first, {@code (1 − i/max)^0.9} after, 0 at and past max_iters. */
class PolyLrScheduleTest {

    @Test
    void firstStepUsesTheBaseRate() {
        assertEquals(0.01, new PolyLrSchedule(0.01, 100, 0.9).rate(0), 0);
    }

    @Test
    void laterStepsFollowThePolyFormula() {
        PolyLrSchedule s = new PolyLrSchedule(0.01, 100, 0.9);
        assertEquals(0.01 * Math.pow(0.99, 0.9), s.rate(1), 1e-15);
        assertEquals(0.01 * Math.pow(0.5, 0.9), s.rate(50), 1e-15);
        assertEquals(0.01 * Math.pow(0.01, 0.9), s.rate(99), 1e-15);
    }

    @Test
    void rateIsZeroAtAndBeyondMaxIters() {
        PolyLrSchedule s = new PolyLrSchedule(0.01, 100, 0.9);
        assertEquals(0, s.rate(100));
        assertEquals(0, s.rate(1000));
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new PolyLrSchedule(0.01, 0, 0.9));
        assertThrows(IllegalArgumentException.class, () -> new PolyLrSchedule(Double.NaN, 10, 0.9));
    }
}
