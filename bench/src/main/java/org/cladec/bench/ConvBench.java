package org.cladec.bench;

import java.util.concurrent.TimeUnit;
import org.cladec.engine.kernels.ConvGeom;
import org.cladec.engine.kernels.ConvKernels;
import org.cladec.engine.kernels.ScalarConvKernels;
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
 * The three convolution kernels, scalar reference beside SIMD on the same data, single thread, at
 * the real shapes of the classifier and decoder (batch 128). For a {@code t...} geometry the
 * kernels are those a transposed convolution calls (its forward is backwardInput). {@code @Setup}
 * checks that the two implementations agree before anything is timed.
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
public class ConvBench {
    @Param({
        "c128x1x32x32to32k3s2p1", "c128x32x16x16to64k3s2p1", "c128x64x8x8to128k3s1p1",
                "c128x128x8x8to128k3s2p1",
        "c128x128x4x4to256k3s1p1", "c128x256x4x4to256k3s2p1", "c128x256x2x2to512k3s1p1",
                "c128x512x2x2to512k3s2p1",
        "t128x64x1x1to512k4s2p1", "t128x512x2x2to256k4s2p1", "t128x256x4x4to128k4s2p1",
                "t128x128x8x8to64k4s2p1",
        "t128x64x16x16to1k4s2p1", "c3x5x9x9to17k3s2p1"
    })
    public String geom;

    static final ConvKernels SCALAR = new ScalarConvKernels(), SIMD = SimdKernels.create().conv();

    ConvGeom g;
    float[] x, w, out, dOut, dx, dw;

    @Setup
    public void setup() {
        g = Geometries.parse(geom);
        Rng r = new Rng(1);
        x = random(r, g.xSize());
        w = random(r, g.wSize());
        dOut = random(r, g.outSize());
        out = new float[g.outSize()];
        dx = new float[g.xSize()];
        dw = new float[g.wSize()];
        Agreement.check(geom, g, SCALAR, SIMD, x, w, dOut);
    }

    static float[] random(Rng r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.uniform(-1, 1);
        return a;
    }

    @Benchmark
    public float[] forwardScalar() {
        SCALAR.forward(out, x, w, null, g, false, 0, g.N);
        return out;
    }

    @Benchmark
    public float[] forwardSimd() {
        SIMD.forward(out, x, w, null, g, false, 0, g.N);
        return out;
    }

    @Benchmark
    public float[] backwardInputScalar() {
        SCALAR.backwardInput(dx, dOut, w, g, 0, g.N);
        return dx;
    }

    @Benchmark
    public float[] backwardInputSimd() {
        SIMD.backwardInput(dx, dOut, w, g, 0, g.N);
        return dx;
    }

    @Benchmark
    public float[] backwardWeightScalar() {
        SCALAR.backwardWeight(dw, dOut, x, g, 0, g.C);
        return dw;
    }

    @Benchmark
    public float[] backwardWeightSimd() {
        SIMD.backwardWeight(dw, dOut, x, g, 0, g.C);
        return dw;
    }
}
