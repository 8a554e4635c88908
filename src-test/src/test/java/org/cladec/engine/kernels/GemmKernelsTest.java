package org.cladec.engine.kernels;

import static org.cladec.testing.Close.assertClose;

import org.cladec.engine.kernels.simd.SimdKernels;
import org.cladec.engine.tensor.Rng;
import org.junit.jupiter.api.Test;

/** SIMD GEMM against the scalar reference at sizes around the lane count and the tile sizes. */
class GemmKernelsTest {
    static final GemmKernels SCALAR = new ScalarGemmKernels(), SIMD = SimdKernels.create().gemm();
    static final int[] SIZES = {1, 3, 5, 6, 7, 15, 16, 17, 31, 33, 100, 257};

    @Test
    void everyShapeAndTransposeMatches() {
        Rng r = new Rng(4);
        for (int M : SIZES) {
            for (int N : SIZES) {
                int K = SIZES[(M * 7 + N) % SIZES.length];
                float[] a = new float[M * K], b = new float[K * N], c0 = new float[M * N];
                for (int i = 0; i < a.length; i++) a[i] = r.uniform(-1, 1);
                for (int i = 0; i < b.length; i++) b[i] = r.uniform(-1, 1);
                for (int i = 0; i < c0.length; i++) c0[i] = r.uniform(-1, 1);
                for (int t = 0; t < 8; t++) {
                    boolean ta = (t & 1) != 0, tb = (t & 2) != 0, acc = (t & 4) != 0;
                    float[] ref = c0.clone(), got = c0.clone();
                    SCALAR.gemm(ref, 0, a, 0, b, 0, M, N, K, ta, tb, acc, 0, M);
                    int split = M / 3;
                    SIMD.gemm(got, 0, a, 0, b, 0, M, N, K, ta, tb, acc, 0, split);
                    SIMD.gemm(got, 0, a, 0, b, 0, M, N, K, ta, tb, acc, split, M);
                    assertClose(
                            ref,
                            got,
                            1e-5 * Math.sqrt(K) * 2,
                            1e-4,
                            String.format(
                                    "gemm M=%d N=%d K=%d transA=%s transB=%s acc=%s",
                                    M, N, K, ta, tb, acc));
                }
            }
        }
    }

    /**
     * Large enough to cross every cache block of the SIMD GEMM at every vector width (rows of A in
     * blocks of at most 256, columns of B in blocks of at most 384, depth in blocks of at most
     * 256), with partial blocks and partial tiles at each far edge.
     */
    @Test
    void crossesEveryCacheBlock() {
        Rng r = new Rng(6);
        int M = 530, N = 791, K = 301;
        float[] a = new float[M * K], b = new float[K * N], c0 = new float[M * N];
        for (int i = 0; i < a.length; i++) a[i] = r.uniform(-1, 1);
        for (int i = 0; i < b.length; i++) b[i] = r.uniform(-1, 1);
        for (int i = 0; i < c0.length; i++) c0[i] = r.uniform(-1, 1);
        for (int t = 0; t < 8; t++) {
            boolean ta = (t & 1) != 0, tb = (t & 2) != 0, acc = (t & 4) != 0;
            float[] ref = c0.clone(), got = c0.clone();
            SCALAR.gemm(ref, 0, a, 0, b, 0, M, N, K, ta, tb, acc, 0, M);
            SIMD.gemm(got, 0, a, 0, b, 0, M, N, K, ta, tb, acc, 0, M);
            assertClose(
                    ref,
                    got,
                    1e-5 * Math.sqrt(K) * 2,
                    1e-4,
                    String.format(
                            "gemm %dx%dx%d transA=%s transB=%s acc=%s", M, N, K, ta, tb, acc));
        }
    }

    @Test
    void offsetsAreHonoured() {
        Rng r = new Rng(5);
        int M = 9, N = 20, K = 13, pad = 7;
        float[] a = new float[pad + M * K], b = new float[pad + K * N];
        for (int i = 0; i < a.length; i++) a[i] = r.uniform(-1, 1);
        for (int i = 0; i < b.length; i++) b[i] = r.uniform(-1, 1);
        float[] ref = new float[pad + M * N + pad], got = ref.clone();
        SCALAR.gemm(ref, pad, a, pad, b, pad, M, N, K, false, false, false, 0, M);
        SIMD.gemm(got, pad, a, pad, b, pad, M, N, K, false, false, false, 0, M);
        assertClose(ref, got, 1e-5, 1e-4, "offsets");
    }
}
