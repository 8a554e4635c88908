package org.cladec.engine.kernels;

/**
 * Dense matrix multiplication on row-major arrays: {@code C (=|+=) op(A) · op(B)} where C is (M,
 * N), op(A) is (M, K) and op(B) is (K, N). A is stored (M, K), or (K, M) when {@code transA}; B is
 * stored (K, N), or (N, K) when {@code transB}. Each matrix starts at its offset and is packed
 * (leading dimension = its row length). Only rows {@code [mLo, mHi)} of C are written, so
 * concurrent calls on disjoint row ranges never touch the same element.
 */
public interface GemmKernels {
    void gemm(
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
            int mHi);
}
