package org.cladec.bench;

import java.util.concurrent.TimeUnit;
import org.cladec.engine.kernels.GemmKernels;
import org.cladec.engine.kernels.ScalarGemmKernels;
import org.cladec.engine.kernels.simd.Peak;
import org.cladec.engine.kernels.simd.SimdKernels;
import org.cladec.engine.tensor.Rng;
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
 * GEMM, scalar beside SIMD, single thread, at a square size and the linear layers' shapes ({@code
 * MxNxK}); and {@link #peak}, the micro-kernel alone on cache-resident panels, which is the ceiling
 * every kernel is reported against (2·MR·NR·KC·1000 FLOP per call).
 */
@State(Scope.Thread)
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
            "-Xms2g",
            "-Xmx2g",
            "-XX:+AlwaysPreTouch"
        })
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GemmBench {
    @Param({"512x512x512", "128x10x512", "128x512x10", "257x33x100"})
    public String shape;

    static final GemmKernels SCALAR = new ScalarGemmKernels(), SIMD = SimdKernels.create().gemm();
    static final int PEAK_KC = Peak.KC, PEAK_REPS = 1000;
    int M, N, K;
    float[] a, b, c, pa, pb, pc;

    @Setup
    public void setup() {
        String[] d = shape.split("x");
        M = Integer.parseInt(d[0]);
        N = Integer.parseInt(d[1]);
        K = Integer.parseInt(d[2]);
        Rng r = new Rng(2);
        a = ConvBench.random(r, M * K);
        b = ConvBench.random(r, K * N);
        c = new float[M * N];
        float[] ref = new float[M * N];
        SCALAR.gemm(ref, 0, a, 0, b, 0, M, N, K, false, false, false, 0, M);
        SIMD.gemm(c, 0, a, 0, b, 0, M, N, K, false, false, false, 0, M);
        Agreement.same("gemm " + shape, ref, c);
        pa = ConvBench.random(r, Peak.MR * PEAK_KC);
        pb = ConvBench.random(r, Peak.NR * PEAK_KC);
        pc = new float[Peak.MR * Peak.NR];
    }

    @Benchmark
    public float[] gemmScalar() {
        SCALAR.gemm(c, 0, a, 0, b, 0, M, N, K, false, false, false, 0, M);
        return c;
    }

    @Benchmark
    public float[] gemmSimd() {
        SIMD.gemm(c, 0, a, 0, b, 0, M, N, K, false, false, false, 0, M);
        return c;
    }

    /** The FMA ceiling: 2·MR·NR·KC·1000 FLOP per call. */
    @Benchmark
    public float[] peak() {
        Peak.run(pa, pb, pc, PEAK_KC, PEAK_REPS);
        return pc;
    }
}
