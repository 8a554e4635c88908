package org.cladec.engine.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {
    @Test
    void everyIndexIsCoveredExactlyOnce() {
        for (int n : new int[] {1, 2, 3, 7, 128, 1001}) {
            AtomicIntegerArray seen = new AtomicIntegerArray(n);
            Parallel.forRange(
                    n,
                    (lo, hi) -> {
                        for (int i = lo; i < hi; i++) seen.incrementAndGet(i);
                    });
            for (int i = 0; i < n; i++) assertEquals(1, seen.get(i), "n=" + n + " index " + i);
        }
        Parallel.forRange(
                0,
                (lo, hi) -> {
                    throw new AssertionError("no work for n = 0");
                });
    }

    @Test
    void failuresOnWorkersReachTheCaller() {
        IllegalStateException e =
                assertThrows(
                        IllegalStateException.class,
                        () ->
                                Parallel.forRange(
                                        100,
                                        (lo, hi) -> {
                                            if (hi == 100)
                                                throw new IllegalStateException(
                                                        "boom in the last chunk");
                                        }));
        assertTrue(e.getMessage().contains("boom"));
    }

    @Test
    void threadCountIsFixedOnceStarted() {
        int t = Parallel.threads();
        Parallel.setThreads(t); // same value: allowed
        assertThrows(IllegalStateException.class, () -> Parallel.setThreads(t + 1));
    }
}
