package org.cladec.bench;

import java.util.concurrent.TimeUnit;
import org.cladec.method.Workloads;
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
 * Full steps on the reference networks at batch 128, with the engine's thread pool (all cores
 * unless {@code -Dengine.threads}): classifier training, ClaDec decoder training (layer -1, alpha
 * 0.001), RefAE training, classifier inference. Run with {@code -prof gc} to see the allocation per
 * step.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
        value = 2,
        jvmArgsAppend = {
            "--add-modules=jdk.incubator.vector",
            // the heap on 2 MB pages where the kernel hands them out on request (Linux, THP
            // "madvise"; docs/performance.md, fifteenth session); other JVMs skip the flag
            "-XX:+IgnoreUnrecognizedVMOptions",
            "-XX:+UseTransparentHugePages",
            "-Xms4g",
            "-Xmx4g",
            "-XX:+AlwaysPreTouch"
        })
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 6, time = 2)
public class StepBench {
    @Param({"classifier_train", "cladec_train", "refae_train", "classifier_infer"})
    public String workload;

    @Param({"128"})
    public int batch;

    Workloads w;

    @Setup
    public void setup() {
        w = new Workloads(batch, 1, 10, 1f, 42);
    }

    @Benchmark
    public float step() {
        return w.step(workload);
    }
}
