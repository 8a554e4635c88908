package org.cladec.cli;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/**
 * When {@code cladec bench}'s warm-up of a workload is over: after at least a few steps and {@link
 * #MIN_NANOS}, once the JIT has compiled nothing for {@link #QUIET_STEPS} steps in a row, or at
 * {@link #MAX_NANOS} whatever it is doing.
 *
 * <p>Why wait for the JIT: C2 compiles the Vector API kernels on a thread of its own, and on a
 * two-core machine that thread takes its core from the benchmark. JFR of a two-thread classifier
 * run saw the C2 compiler use a fifth of a core 10–20 s after the start, long after a fixed
 * three-second warm-up had ended, while a one-thread run lost nothing to it (the second core was
 * idle). A fixed warm-up so measured thread scaling low and noisily.
 */
final class Warmup {
    /** The shortest warm-up. */
    static final long MIN_NANOS = 3_000_000_000L;

    /** The longest: a JIT that never settles does not hold the benchmark up beyond this. */
    static final long MAX_NANOS = 20_000_000_000L;

    /** Consecutive steps without a finished compilation that count as settled. */
    static final int QUIET_STEPS = 5;

    private final long start;
    private final int minSteps;
    private final LongSupplier jitMillis;
    private long lastJit;
    private int steps, quiet;

    /**
     * @param start the warm-up's start, {@link System#nanoTime()}
     * @param minSteps the fewest warm-up steps
     * @param jitMillis the JIT's total compilation time so far, or null where the JVM does not
     *     report it (then only the time and step rules apply)
     */
    Warmup(long start, int minSteps, LongSupplier jitMillis) {
        this.start = start;
        this.minSteps = minSteps;
        this.jitMillis = jitMillis;
        this.lastJit = jitMillis == null ? 0 : jitMillis.getAsLong();
    }

    /** The running JVM's JIT compilation time in ms, or null if it does not report it. */
    static LongSupplier jitOfThisJvm() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported()
                ? jit::getTotalCompilationTime
                : null;
    }

    /** Records a finished warm-up step at {@code now}; true once the warm-up is over. */
    boolean stepDone(long now) {
        steps++;
        if (jitMillis != null) {
            long jit = jitMillis.getAsLong();
            quiet = jit == lastJit ? quiet + 1 : 0;
            lastJit = jit;
        }
        long elapsed = now - start;
        if (steps < minSteps || elapsed < MIN_NANOS) return false;
        return jitMillis == null || quiet >= QUIET_STEPS || elapsed >= MAX_NANOS;
    }
}
