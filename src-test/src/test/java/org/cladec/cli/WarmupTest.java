package org.cladec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@code cladec bench}'s warm-up rule, on a made-up clock and JIT. */
class WarmupTest {
    private static final long SECOND = 1_000_000_000L, STEP = SECOND / 10;

    /** The number of steps, 0.1 s each, after which the warm-up says it is over. */
    private static int stepsUntilOver(Warmup w, AtomicLong jit, long busyUntil) {
        long now = 0;
        for (int i = 1; i <= 10_000; i++) {
            now += STEP;
            if (jit != null && now <= busyUntil) jit.addAndGet(3); // a compilation finished
            if (w.stepDone(now)) return i;
        }
        throw new AssertionError("never over");
    }

    @Test
    void aQuietJitEndsTheWarmUpAtTheMinimumTime() {
        AtomicLong jit = new AtomicLong(100);
        assertEquals(30, stepsUntilOver(new Warmup(0, 3, jit::get), jit, 0));
    }

    @Test
    void aCompilingJitHoldsTheWarmUpUntilItHasBeenQuietForAFewSteps() {
        AtomicLong jit = new AtomicLong();
        // compiles for the first 7 s: over 5 quiet steps later
        assertEquals(
                70 + Warmup.QUIET_STEPS,
                stepsUntilOver(new Warmup(0, 3, jit::get), jit, 7 * SECOND));
    }

    @Test
    void aJitThatNeverSettlesIsCutOffAtTheMaximum() {
        AtomicLong jit = new AtomicLong();
        assertEquals(
                (int) (Warmup.MAX_NANOS / STEP),
                stepsUntilOver(new Warmup(0, 3, jit::get), jit, Long.MAX_VALUE));
    }

    @Test
    void theMinimumStepsHoldEvenWhenTheTimeIsUp() {
        AtomicLong jit = new AtomicLong();
        int min = Warmup.QUIET_STEPS + 2;
        Warmup w = new Warmup(0, min, jit::get);
        for (int i = 1; i < min; i++)
            assertEquals(false, w.stepDone((10 + i) * SECOND), "step " + i);
        assertEquals(true, w.stepDone((10 + min) * SECOND)); // quiet since the start
    }

    @Test
    void withoutJitTimesOnlyTheTimeAndStepRulesApply() {
        assertEquals(30, stepsUntilOver(new Warmup(0, 3, null), null, 0));
    }

    @Test
    void thisJvmReportsItsCompilationTime() {
        // HotSpot does; the bench's rule would silently fall back to time alone if it did not
        assertNotNull(Warmup.jitOfThisJvm());
    }
}
