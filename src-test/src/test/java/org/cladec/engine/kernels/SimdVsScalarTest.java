package org.cladec.engine.kernels;

import static org.cladec.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cladec.engine.kernels.simd.SimdKernels;
import org.cladec.engine.tensor.Rng;
import org.junit.jupiter.api.Test;

/**
 * Every SIMD kernel outside convolution and GEMM against its scalar reference, per element, at
 * sizes around the lane count so that vector bodies and scalar tails are both exercised. Surefire
 * reruns this at 128, 256 and 512 bits.
 */
class SimdVsScalarTest {
    static final KernelSet S = KernelSet.scalar(), V = SimdKernels.create();
    static final int[] SIZES = {1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 33, 100, 257, 5000};
    private final Rng rng = new Rng(11);

    private float[] rnd(int n, float lo, float hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = rng.uniform(lo, hi);
        return a;
    }

    @Test
    void elementwise() {
        ElementwiseKernels s = S.ew(), v = V.ew();
        for (int n : SIZES) {
            float[] x = rnd(n, -2, 2), d = rnd(n, -1, 1), acc = rnd(n, -1, 1), mask = rnd(n, 0, 2);
            if (n > 2) {
                x[1] = Float.NaN;
                x[2] = -0f;
            }
            // the SIMD side in two ranges, the second starting off a vector boundary
            int k = n / 3;
            float[] r1 = new float[n], r2 = new float[n];
            s.relu(r1, x, 0, n);
            v.relu(r2, x, 0, k);
            v.relu(r2, x, k, n);
            assertClose(r1, r2, 0, 0, "relu n=" + n);
            float[] a1 = acc.clone(), a2 = acc.clone();
            s.reluBackwardAcc(a1, d, r1, 0, n);
            v.reluBackwardAcc(a2, d, r1, 0, k);
            v.reluBackwardAcc(a2, d, r1, k, n);
            assertClose(a1, a2, 0, 0, "reluBackwardAcc n=" + n);
            s.leakyRelu(r1, x, 0.1f, 0, n);
            v.leakyRelu(r2, x, 0.1f, 0, k);
            v.leakyRelu(r2, x, 0.1f, k, n);
            assertClose(r1, r2, 0, 0, "leakyRelu n=" + n);
            a1 = acc.clone();
            a2 = acc.clone();
            s.leakyReluBackwardAcc(a1, d, x, 0.1f, 0, n);
            v.leakyReluBackwardAcc(a2, d, x, 0.1f, 0, k);
            v.leakyReluBackwardAcc(a2, d, x, 0.1f, k, n);
            assertClose(a1, a2, 1e-7, 1e-6, "leakyReluBackwardAcc n=" + n);
            float[] sig = rnd(n, 0, 1);
            a1 = acc.clone();
            a2 = acc.clone();
            s.sigmoidBackwardAcc(a1, d, sig, 0, n);
            v.sigmoidBackwardAcc(a2, d, sig, 0, k);
            v.sigmoidBackwardAcc(a2, d, sig, k, n);
            assertClose(a1, a2, 1e-7, 1e-6, "sigmoidBackwardAcc n=" + n);
            s.scale(r1, d, -0.7f, n);
            v.scale(r2, d, -0.7f, n);
            assertClose(r1, r2, 0, 0, "scale n=" + n);
            a1 = acc.clone();
            a2 = acc.clone();
            s.axpy(a1, 0.3f, d, n);
            v.axpy(a2, 0.3f, d, n);
            assertClose(a1, a2, 1e-7, 1e-6, "axpy n=" + n);
            s.mul(r1, d, mask, 0, n);
            v.mul(r2, d, mask, 0, n);
            assertClose(r1, r2, 0, 0, "mul n=" + n);
            a1 = acc.clone();
            a2 = acc.clone();
            s.mulAcc(a1, d, mask, n);
            v.mulAcc(a2, d, mask, n);
            assertClose(a1, a2, 1e-7, 1e-6, "mulAcc n=" + n);
            assertEquals(s.sum(d, n), v.sum(d, n), 1e-5 * Math.sqrt(n), "sum n=" + n);
        }
    }

    @Test
    void channelKernels() {
        ElementwiseKernels s = S.ew(), v = V.ew();
        int[][] shapes = {{1, 1, 1}, {2, 3, 5}, {3, 17, 1}, {4, 7, 33}, {2, 5, 256}};
        for (int[] sh : shapes) {
            int N = sh[0], C = sh[1], HW = sh[2];
            float[] x = rnd(N * C * HW, -1, 1), b = rnd(C, -1, 1), db0 = rnd(C, -1, 1);
            float[] d1 = db0.clone(), d2 = db0.clone();
            s.channelSumAcc(d1, x, N, C, HW, 0, C);
            v.channelSumAcc(d2, x, N, C, HW, 0, C);
            assertClose(d1, d2, 1e-5, 1e-5, "channelSumAcc " + N + "x" + C + "x" + HW);
            float[] x1 = x.clone(), x2 = x.clone();
            s.channelAdd(x1, b, N, C, HW, 0, N);
            v.channelAdd(x2, b, N, C, HW, 0, N);
            assertClose(x1, x2, 0, 0, "channelAdd " + N + "x" + C + "x" + HW);
        }
    }

    /**
     * A bias gradient sums N·HW values per channel (a transposed convolution's output: 68K); a
     * float accumulator drifted by 4e-5 of the total there against PyTorch. Both kernels must hold
     * it to float precision: values of one sign, where a running float sum loses most.
     */
    @Test
    void channelSumOfManyTermsKeepsFloatPrecision() {
        int N = 9, C = 3, HW = 71 * 107;
        float[] x = rnd(N * C * HW, 0, 1);
        double[] exact = new double[C];
        for (int n = 0; n < N; n++)
            for (int c = 0; c < C; c++)
                for (int i = 0; i < HW; i++) exact[c] += x[(n * C + c) * HW + i];
        for (KernelSet k : new KernelSet[] {S, V}) {
            float[] db = new float[C];
            k.ew().channelSumAcc(db, x, N, C, HW, 0, C);
            for (int c = 0; c < C; c++)
                assertEquals(exact[c], db[c], 1e-6 * exact[c], k.name() + " channel " + c);
        }
    }

    @Test
    void batchNorm() {
        NormKernels s = S.norm(), v = V.norm();
        // planes below and above the image-at-a-time threshold (4 vectors) at every width, channel
        // runs that end off a vector boundary, and the classifier's small maps at batch 128
        int[][] shapes = {
            {2, 3, 1},
            {5, 7, 1},
            {4, 3, 9},
            {2, 5, 17},
            {8, 4, 64},
            {3, 2, 1024},
            {128, 37, 4},
            {9, 19, 16},
            {64, 33, 1},
            {3, 5, 31},
            {4, 6, 63},
            {2, 3, 65}
        };
        for (int[] sh : shapes) {
            int N = sh[0], C = sh[1], HW = sh[2], n = N * C * HW;
            String what = N + "x" + C + "x" + HW;
            float[] x = rnd(n, -1, 3),
                    dOut = rnd(n, -1, 1),
                    g = rnd(C, 0.5f, 1.5f),
                    b = rnd(C, -1, 1);
            int B = NormKernels.blocks(N), hb = B / 2, hn = N / 2;
            // per-block sums, then squared deviations from the mean: the SIMD side in two block
            // parts, as two threads split them, and in one, which must give the same bits
            double[] p1 = new double[B * C], p2 = new double[B * C], p3 = new double[B * C];
            s.blockSums(p1, x, null, N, C, HW, 0, B);
            v.blockSums(p2, x, null, N, C, HW, 0, hb);
            v.blockSums(p2, x, null, N, C, HW, hb, B);
            v.blockSums(p3, x, null, N, C, HW, 0, B);
            assertArrayEquals(p3, p2, "block sums do not depend on the split " + what);
            assertClose(p1, p2, 1e-4, 1e-5, "block sums " + what);
            float[] m1 = new float[C], v1 = new float[C];
            for (int c = 0; c < C; c++) {
                double sum = 0, direct = 0;
                for (int blk = 0; blk < B; blk++) sum += p1[blk * C + c];
                for (int i = 0; i < N; i++)
                    for (int p = 0; p < HW; p++) direct += x[(i * C + c) * HW + p];
                assertEquals(direct, sum, 1e-9 * N * HW, "blocks cover every image " + what);
                m1[c] = (float) (sum / (N * HW));
            }
            s.blockSums(p1, x, m1, N, C, HW, 0, B);
            v.blockSums(p2, x, m1, N, C, HW, 0, hb);
            v.blockSums(p2, x, m1, N, C, HW, hb, B);
            assertClose(p1, p2, 1e-4, 1e-5, "block squared deviations " + what);
            for (int c = 0; c < C; c++) {
                double ss = 0;
                for (int blk = 0; blk < B; blk++) ss += p1[blk * C + c];
                v1[c] = (float) (ss / (N * HW));
                assertTrue(v1[c] > 0.2f && v1[c] < 2f, "variance of U(-1, 3) ~ 4/3: " + what);
            }
            float[] inv = new float[C];
            for (int c = 0; c < C; c++) inv[c] = (float) (1 / Math.sqrt(v1[c] + 1e-5));
            for (boolean relu : new boolean[] {false, true}) {
                String how = what + (relu ? " relu" : "");
                float[] o1 = new float[n], o2 = new float[n];
                s.normalize(o1, x, m1, inv, g, b, relu, N, C, HW, 0, N);
                v.normalize(o2, x, m1, inv, g, b, relu, N, C, HW, 0, hn);
                v.normalize(o2, x, m1, inv, g, b, relu, N, C, HW, hn, N);
                assertClose(o1, o2, 1e-6, 1e-5, "normalize " + how);
                if (relu) {
                    int zeros = 0;
                    for (float o : o1) zeros += o == 0f ? 1 : 0;
                    assertTrue(zeros > 0 && zeros < n, "relu clamps some but not all: " + how);
                }
                float[] mask = relu ? o1 : null;
                double[] dy1 = new double[B * C], dyx1 = new double[B * C];
                double[] dy2 = new double[B * C], dyx2 = new double[B * C];
                s.gradientSums(dy1, dyx1, dOut, mask, x, m1, N, C, HW, 0, B);
                v.gradientSums(dy2, dyx2, dOut, mask, x, m1, N, C, HW, 0, hb);
                v.gradientSums(dy2, dyx2, dOut, mask, x, m1, N, C, HW, hb, B);
                assertClose(dy1, dy2, 1e-4, 1e-5, "gradient sums dy " + how);
                assertClose(dyx1, dyx2, 1e-4, 1e-5, "gradient sums dy(x - mean) " + how);
                float[] k = rnd(C, 0.5f, 1.5f), ka = rnd(C, -1, 1), kb = rnd(C, -1, 1);
                float[] dx1 = rnd(n, -1, 1), dx2 = dx1.clone();
                s.inputGradient(dx1, dOut, mask, x, m1, k, ka, kb, N, C, HW, 0, N);
                v.inputGradient(dx2, dOut, mask, x, m1, k, ka, kb, N, C, HW, 0, hn);
                v.inputGradient(dx2, dOut, mask, x, m1, k, ka, kb, N, C, HW, hn, N);
                assertClose(dx1, dx2, 1e-5, 1e-4, "input gradient " + how);
                for (boolean acc : new boolean[] {false, true}) {
                    float[] d1 = rnd(n, -1, 1), d2 = d1.clone();
                    s.scaledGradient(d1, acc, dOut, mask, k, N, C, HW, 0, N);
                    v.scaledGradient(d2, acc, dOut, mask, k, N, C, HW, 0, hn);
                    v.scaledGradient(d2, acc, dOut, mask, k, N, C, HW, hn, N);
                    assertClose(d1, d2, 1e-6, 1e-5, "scaled gradient " + how + " acc=" + acc);
                }
            }
        }
    }

    @Test
    void squaredErrorLoss() {
        LossKernels s = S.loss(), v = V.loss();
        for (int n : SIZES) {
            float[] a = rnd(n, 0, 1), b = rnd(n, 0, 1);
            assertEquals(
                    s.squaredError(a, b, n),
                    v.squaredError(a, b, n),
                    1e-6 * n,
                    "squaredError n=" + n);
            float[] da1 = rnd(n, -1, 1), da2 = da1.clone(), db1 = rnd(n, -1, 1), db2 = db1.clone();
            s.squaredErrorBackwardAcc(da1, db1, a, b, 0.37f, n);
            v.squaredErrorBackwardAcc(da2, db2, a, b, 0.37f, n);
            assertClose(da1, da2, 1e-7, 1e-6, "squaredErrorBackward da n=" + n);
            assertClose(db1, db2, 1e-7, 1e-6, "squaredErrorBackward db n=" + n);
        }
    }

    @Test
    void optimizers() {
        OptimKernels s = S.optim(), v = V.optim();
        for (int n : SIZES) {
            float[] p = rnd(n, -1, 1), g = rnd(n, -1, 1);
            int split = n / 3;
            for (boolean decoupled : new boolean[] {false, true}) {
                float[] p1 = p.clone(),
                        p2 = p.clone(),
                        m1 = new float[n],
                        m2 = new float[n],
                        v1 = new float[n],
                        v2 = new float[n];
                for (int step = 1; step <= 3; step++) {
                    s.adam(p1, g, m1, v1, 0, n, 1e-2f, 0.9f, 0.999f, 1e-8f, 0.01f, decoupled, step);
                    // in two ranges, the first ending off a vector boundary, as two threads would
                    for (int[] r : new int[][] {{0, split}, {split, n}})
                        v.adam(
                                p2, g, m2, v2, r[0], r[1], 1e-2f, 0.9f, 0.999f, 1e-8f, 0.01f,
                                decoupled, step);
                }
                assertClose(p1, p2, 1e-6, 1e-5, "adam n=" + n + " decoupled=" + decoupled);
                assertClose(v1, v2, 1e-7, 1e-5, "adam v n=" + n);
            }
            float[] p1 = p.clone(), p2 = p.clone(), b1 = new float[n], b2 = new float[n];
            for (int step = 0; step < 3; step++) {
                s.sgd(p1, g, b1, 0, n, 0.1f, 0.9f, 0.1f, 1e-3f, false, step == 0);
                v.sgd(p2, g, b2, 0, split, 0.1f, 0.9f, 0.1f, 1e-3f, false, step == 0);
                v.sgd(p2, g, b2, split, n, 0.1f, 0.9f, 0.1f, 1e-3f, false, step == 0);
            }
            assertClose(p1, p2, 1e-6, 1e-5, "sgd n=" + n);
        }
    }

    /**
     * Optimizers split a parameter into ranges, one per thread, so an element's update must not
     * depend on where a range starts or ends (vector body or scalar tail): bit-identical results.
     */
    @Test
    void optimizerUpdatesDoNotDependOnTheSplit() {
        OptimKernels v = V.optim();
        int n = 1001;
        float[] p = rnd(n, -1, 1), g = rnd(n, -1, 1);
        for (int split : new int[] {1, 7, 17, 500, 1000}) {
            for (boolean decoupled : new boolean[] {false, true}) {
                float[] p1 = p.clone(), p2 = p.clone();
                float[] m1 = new float[n], m2 = new float[n], v1 = new float[n], v2 = new float[n];
                for (int step = 1; step <= 3; step++) {
                    v.adam(p1, g, m1, v1, 0, n, 1e-2f, 0.9f, 0.99f, 1e-8f, 0.01f, decoupled, step);
                    v.adam(
                            p2, g, m2, v2, 0, split, 1e-2f, 0.9f, 0.99f, 1e-8f, 0.01f, decoupled,
                            step);
                    v.adam(
                            p2, g, m2, v2, split, n, 1e-2f, 0.9f, 0.99f, 1e-8f, 0.01f, decoupled,
                            step);
                }
                assertArrayEquals(p1, p2, "adam split at " + split);
                assertArrayEquals(v1, v2, "adam v split at " + split);
            }
            float[] p1 = p.clone(), p2 = p.clone(), b1 = new float[n], b2 = new float[n];
            for (int step = 0; step < 3; step++) {
                v.sgd(p1, g, b1, 0, n, 0.1f, 0.9f, 0.1f, 1e-3f, false, step == 0);
                v.sgd(p2, g, b2, 0, split, 0.1f, 0.9f, 0.1f, 1e-3f, false, step == 0);
                v.sgd(p2, g, b2, split, n, 0.1f, 0.9f, 0.1f, 1e-3f, false, step == 0);
            }
            assertArrayEquals(p1, p2, "sgd split at " + split);
        }
    }

    @Test
    void theActiveKernelsAreSimdWhenTheVectorApiIsThere() {
        boolean forcedScalar = "scalar".equals(System.getProperty("engine.kernels"));
        assertEquals(
                Kernels.vectorApiReadable() && !forcedScalar,
                Kernels.active().name().startsWith("simd"),
                Kernels.active().name());
    }
}
