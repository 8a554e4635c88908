package org.cladec.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cladec.engine.parallel.Parallel;
import org.junit.jupiter.api.Test;

/**
 * {@code cladec bench --scaling}'s compute ceiling: the pool's speed-up on the FMA micro-kernel is
 * a finite ratio near the thread count (each pool thread does what the one thread does), never
 * above it by more than timing noise, and not a collapse to nothing.
 */
class FmaScalingTest {
    @Test
    void theCeilingIsASpeedUpBetweenNothingAndTheThreadCount() {
        int threads = Parallel.threads();
        double s = BenchCommand.fmaScaling(threads, 3);
        assertTrue(Double.isFinite(s) && s > 0.2 && s < threads * 1.3, "fma_scaling " + s);
    }
}
