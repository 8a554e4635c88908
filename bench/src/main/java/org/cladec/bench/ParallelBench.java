package org.cladec.bench;

import java.util.concurrent.TimeUnit;
import org.cladec.engine.parallel.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The pool's hand-off: one {@link Parallel#forRange} over two chunks of {@code work} nanoseconds
 * each, after {@code gap} nanoseconds of work on the calling thread alone, as a training step's ops
 * are separated by bookkeeping. With perfect hand-off a call takes {@code gap + work}; what is
 * above that is the cost of starting the worker and waiting for it. Needs two cores or more ({@code
 * -Dengine.threads}, default all).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ParallelBench {
    @Param({"0", "20000"})
    public long gap;

    @Param({"10000", "100000"})
    public long work;

    @Setup
    public void setup() {
        if (Parallel.threads() < 2)
            throw new IllegalStateException("ParallelBench needs a pool of 2 threads or more");
    }

    @Benchmark
    public void handOff() {
        spin(gap);
        Parallel.forRange(2, (lo, hi) -> spin(work));
    }

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) Thread.onSpinWait();
    }
}
