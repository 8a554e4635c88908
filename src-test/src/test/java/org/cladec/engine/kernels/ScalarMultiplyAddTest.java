package org.cladec.engine.kernels;

import static org.cladec.testing.Close.assertClose;
import static org.cladec.testing.RandomArrays.uniform;

import org.cladec.engine.tensor.Rng;
import org.junit.jupiter.api.Test;

/**
 * The blocked matrix product under the scalar conv kernels against a double-precision triple loop,
 * on sizes around its block sizes (KB rows, NB columns, the unroll by four), with offsets and
 * strides into larger arrays as the kernels use them, and checking that nothing outside the
 * addressed elements of c changes.
 */
class ScalarMultiplyAddTest {
    static final int[] MS = {1, 2, 5},
            NS = {1, 3, 255, 256, 257, 530},
            KS = {1, 3, 4, 15, 16, 17, 37};

    @Test
    void matchesTripleLoopAroundBlockEdges() {
        Rng r = new Rng(11);
        for (int M : MS) {
            for (int N : NS) {
                for (int K : KS) {
                    for (boolean transposedA : new boolean[] {false, true}) {
                        check(r, M, N, K, transposedA);
                    }
                }
            }
        }
    }

    private static void check(Rng r, int M, int N, int K, boolean transposedA) {
        int cOff = 3, ldc = N + 2, aOff = 5, bOff = 7, ldb = N + 1;
        int ai = transposedA ? 1 : K, ak = transposedA ? M : 1;
        float[] a = uniform(r, aOff + M * K), b = uniform(r, bOff + K * ldb);
        float[] c = uniform(r, cOff + M * ldc + 4), before = c.clone();
        double[] want = new double[c.length];
        for (int i = 0; i < c.length; i++) want[i] = c[i];
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                double sum = 0;
                for (int k = 0; k < K; k++) {
                    sum += (double) a[aOff + i * ai + k * ak] * b[bOff + k * ldb + j];
                }
                want[cOff + i * ldc + j] = before[cOff + i * ldc + j] + sum;
            }
        }
        ScalarConvKernels.multiplyAdd(c, cOff, ldc, a, aOff, ai, ak, b, bOff, ldb, M, N, K);
        float[] expected = new float[want.length];
        for (int i = 0; i < want.length; i++) expected[i] = (float) want[i];
        String what =
                String.format("multiplyAdd M=%d N=%d K=%d transposedA=%s", M, N, K, transposedA);
        assertClose(expected, c, 1e-6 * Math.sqrt(K) * 4, 1e-5, what);
        for (int i = 0; i < M; i++) { // the gap between rows (ldc > N) must stay untouched
            for (int j = N; j < ldc && cOff + i * ldc + j < c.length; j++) {
                int at = cOff + i * ldc + j;
                if (c[at] != before[at])
                    throw new AssertionError(what + ": wrote c[" + at + "] outside the rows");
            }
        }
        for (int i = 0; i < cOff; i++) {
            if (c[i] != before[i])
                throw new AssertionError(what + ": wrote c[" + i + "] before cOff");
        }
    }
}
