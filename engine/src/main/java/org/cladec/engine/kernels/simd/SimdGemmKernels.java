package org.cladec.engine.kernels.simd;

import org.cladec.engine.kernels.GemmKernels;

/** GEMM through the shared register-blocked core ({@link Gemm}). */
public final class SimdGemmKernels implements GemmKernels {
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
        Gemm.Scratch s = Gemm.SCRATCH.get();
        int ars = transA ? 1 : K, aks = transA ? M : 1;
        Gemm.BPack bp = transB ? s.transposed.set(b, bOff, K) : s.rowMajor.set(b, bOff, N);
        Gemm.gemm(
                c,
                cOff + mLo * N,
                N,
                a,
                aOff + mLo * ars,
                ars,
                aks,
                bp,
                mHi - mLo,
                N,
                K,
                accumulate,
                s);
    }
}
