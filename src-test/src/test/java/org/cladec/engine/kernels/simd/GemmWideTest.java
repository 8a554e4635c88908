package org.cladec.engine.kernels.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code Gemm.gemmWide}, the 6 × 4-vector tile over 64-column panels (AVX-512 only), against a
 * double-precision product: rows that leave the last strip part empty, depths with a k-block tail
 * and several k-blocks, a row stride wider than K and offsets on A and C, overwrite and accumulate.
 * And {@code OutCols.packWide}, which feeds it the weight gradient's dOutᵀ, against its definition.
 */
class GemmWideTest {
    private static final int L = Simd.L;

    /** B (K, N) row-major, handed out in wide panels. */
    private static Gemm.WidePack rowMajor(float[] b, int N) {
        return (dst, off, k0, kc, j0) -> {
            for (int kk = 0; kk < kc; kk++)
                System.arraycopy(b, (k0 + kk) * N + j0, dst, off + kk * Gemm.NR4, Gemm.NR4);
        };
    }

    @Test
    void onlyAvx512TakesTheWideTile() {
        assertEquals(L >= 16, Gemm.wide(4 * L));
        assertFalse(Gemm.wide(4 * L + L));
        if (L < 16)
            assertThrows(
                    IllegalArgumentException.class,
                    () ->
                            Gemm.gemmWide(
                                    new float[4],
                                    0,
                                    4,
                                    new float[4],
                                    0,
                                    4,
                                    null,
                                    1,
                                    4 * L,
                                    1,
                                    false,
                                    Gemm.SCRATCH.get()));
    }

    @Test
    void matchesTheProductOnOddShapes() {
        if (!Gemm.WIDE) return; // onlyAvx512TakesTheWideTile covers the narrower widths
        Random r = new Random(7);
        int[] ms = {1, 5, 6, 7, 13, 288};
        int[] ks = {1, 15, 256, 257, 700};
        for (int M : ms)
            for (int N = 64; N <= 192; N += 64)
                for (int K : ks)
                    for (boolean acc : new boolean[] {false, true}) {
                        int aOff = 3, ars = K + 5, cOff = 2, ldc = N + 16;
                        float[] a = new float[aOff + M * ars], b = new float[K * N];
                        float[] c = new float[cOff + M * ldc + 7];
                        for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() - 0.5f;
                        for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() - 0.5f;
                        for (int i = 0; i < c.length; i++) c[i] = r.nextFloat() - 0.5f;
                        float[] want = c.clone();
                        for (int i = 0; i < M; i++)
                            for (int j = 0; j < N; j++) {
                                double sum = acc ? c[cOff + i * ldc + j] : 0;
                                for (int k = 0; k < K; k++)
                                    sum += (double) a[aOff + i * ars + k] * b[k * N + j];
                                want[cOff + i * ldc + j] = (float) sum;
                            }
                        Gemm.gemmWide(
                                c,
                                cOff,
                                ldc,
                                a,
                                aOff,
                                ars,
                                rowMajor(b, N),
                                M,
                                N,
                                K,
                                acc,
                                Gemm.SCRATCH.get());
                        String what = "M=" + M + " N=" + N + " K=" + K + " acc=" + acc;
                        for (int i = 0; i < c.length; i++)
                            assertEquals(
                                    want[i], c[i], 2e-6 * Math.sqrt(K) + 1e-6, what + " @" + i);
                    }
    }

    /**
     * The wide path sums each element's terms in the same k-blocks as {@code Gemm.gemm}, so the
     * weight gradient gives the same floats whichever tile it takes.
     */
    @Test
    void givesTheSameFloatsAsTheNarrowTile() {
        if (!Gemm.WIDE) return;
        Random r = new Random(8);
        int M = 29, N = 128, K = 700;
        float[] a = new float[M * K], b = new float[K * N];
        for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() - 0.5f;
        for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() - 0.5f;
        float[] narrow = new float[M * N], wide = new float[M * N];
        Gemm.Scratch s = Gemm.SCRATCH.get();
        Gemm.gemm(narrow, 0, N, a, 0, K, 1, s.rowMajor.set(b, 0, N), M, N, K, false, s);
        Gemm.gemmWide(wide, 0, N, a, 0, K, rowMajor(b, N), M, N, K, false, s);
        assertArrayEquals(narrow, wide);
    }

    /** dOut (images, rows, P) seen as (images·P, rows): whole panels from channel c0 + j0. */
    @Test
    void outColsPacksWidePanelsOfTheTranspose() {
        Random r = new Random(9);
        int imgs = 5, rows = 2 * Gemm.NR4 + 3, P = 24, n0 = 1, c0 = 2;
        float[] t = new float[imgs * rows * P];
        for (int i = 0; i < t.length; i++) t[i] = r.nextFloat();
        ConvPacks.OutCols oc = new ConvPacks.OutCols().set(t, rows, P, n0, c0);
        int k0 = 17, kc = 50, j0 = Gemm.NR4, off = 9;
        float[] dst = new float[off + kc * Gemm.NR4 + 4];
        oc.packWide(dst, off, k0, kc, j0);
        for (int kk = 0; kk < kc; kk++)
            for (int jj = 0; jj < Gemm.NR4; jj++) {
                int rr = k0 + kk, n = n0 + rr / P, p = rr % P;
                assertEquals(t[(n * rows + c0 + j0 + jj) * P + p], dst[off + kk * Gemm.NR4 + jj]);
            }
    }
}
