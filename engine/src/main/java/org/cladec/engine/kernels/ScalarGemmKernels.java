package org.cladec.engine.kernels;

import java.util.Arrays;

/**
 * Reference GEMM: the i-k-j loop order, so the innermost loop runs along a row of C and a row of B
 * with unit stride (when B is not transposed); with transposed B it is a dot product per element.
 */
public final class ScalarGemmKernels implements GemmKernels {
    @Override
    public void gemm(
            float[] c,
            int cOff,
            float[] a,
            int aOff,
            float[] b,
            int bOff,
            int M,
            int N,
            int K,
            boolean transA,
            boolean transB,
            boolean accumulate,
            int mLo,
            int mHi) {
        for (int i = mLo; i < mHi; i++) {
            int cRow = cOff + i * N;
            if (!accumulate) Arrays.fill(c, cRow, cRow + N, 0f);
            if (transB) {
                for (int j = 0; j < N; j++) {
                    float s = 0f;
                    int bRow = bOff + j * K;
                    for (int k = 0; k < K; k++) s += aAt(a, aOff, i, k, M, K, transA) * b[bRow + k];
                    c[cRow + j] += s;
                }
            } else {
                for (int k = 0; k < K; k++) {
                    float av = aAt(a, aOff, i, k, M, K, transA);
                    int bRow = bOff + k * N;
                    for (int j = 0; j < N; j++) c[cRow + j] += av * b[bRow + j];
                }
            }
        }
    }

    private static float aAt(float[] a, int aOff, int i, int k, int M, int K, boolean transA) {
        return transA ? a[aOff + k * M + i] : a[aOff + i * K + k];
    }
}
