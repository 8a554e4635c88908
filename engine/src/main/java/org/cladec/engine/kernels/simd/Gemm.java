package org.cladec.engine.kernels.simd;

import static org.cladec.engine.kernels.simd.Simd.F;
import static org.cladec.engine.kernels.simd.Simd.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * The register-blocked GEMM core every SIMD kernel shares: {@code C (=|+=) A · B} with C (M, N)
 * row-major (leading dimension ldc), A (M, K) read in place through a row stride and a column
 * stride (so a row-major matrix, its transpose or a pre-packed panel are all just strides), and B
 * (K, N) packed panel by panel by a {@link BPack} that knows where B's elements really live (a
 * matrix, its transpose, or the im2col view of an image batch that is never materialised).
 *
 * <p>Blocking follows GotoBLAS/BLIS: for each block of NC columns and KC rows of B, pack B into
 * NR-wide panels (stays in L2), then for each MR-row strip of A (stays in L1) sweep the panels with
 * the MR×NR micro-kernel. The micro-kernel keeps MR × 2 vector accumulators (6 × 2 = 12 registers:
 * AVX2 has 16, AVX-512 32), loads two vectors of B and broadcasts one A value per row per k.
 * Partial tiles at the right and bottom edges go through a small tile buffer, so the caller never
 * pads.
 */
final class Gemm {
    static final int MR = 6, NR = 2 * L, KC = 256, NC = Math.max(NR, 256 / NR * NR);

    /**
     * Packs {@code B[k0 + kk][j0 + jj]} for kk < kc, jj < nr into {@code dst[off + kk·NR + jj]},
     * zero for jj ≥ nr.
     */
    interface BPack {
        void pack(float[] dst, int off, int k0, int kc, int j0, int nr);
    }

    /** Per-thread buffers; grown once, then reused. */
    static final class Scratch {
        final float[] packB = new float[KC * NC], packA = new float[MR * KC];

        final RowMajor rowMajor = new RowMajor();
        final Transposed transposed = new Transposed();
        final ConvPacks.OutCols outCols = new ConvPacks.OutCols();
        final ConvPacks.OutRows outRows = new ConvPacks.OutRows();
        final float[] tile = new float[MR * NR];
        float[] temp = new float[0], temp2 = new float[0], temp3 = new float[0];

        float[] temp(int n) {
            if (temp.length < n) temp = new float[n];
            return temp;
        }

        float[] temp2(int n) {
            if (temp2.length < n) temp2 = new float[n];
            return temp2;
        }

        float[] temp3(int n) {
            if (temp3.length < n) temp3 = new float[n];
            return temp3;
        }
    }

    static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private Gemm() {}

    /**
     * {@code C[m][n] (=|+=) Σ_k A(m, k)·B(k, n)} for m < M, n < N, where {@code A(m, k) = a[aOff +
     * m·ars + k·aks]}.
     */
    static void gemm(
            float[] c,
            int cOff,
            int ldc,
            float[] a,
            int aOff,
            int ars,
            int aks,
            BPack b,
            int M,
            int N,
            int K,
            boolean accumulate,
            Scratch s) {
        if (M <= 0 || N <= 0) return;
        if (K <= 0) {
            if (!accumulate)
                for (int i = 0; i < M; i++) Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + N, 0f);
            return;
        }
        float[] packB = s.packB;
        for (int j0 = 0; j0 < N; j0 += NC) {
            int nc = Math.min(NC, N - j0);
            for (int k0 = 0; k0 < K; k0 += KC) {
                int kc = Math.min(KC, K - k0);
                boolean acc = accumulate || k0 > 0;
                for (int jp = 0; jp < nc; jp += NR)
                    b.pack(packB, jp * kc, k0, kc, j0 + jp, Math.min(NR, nc - jp));
                for (int i0 = 0; i0 < M; i0 += MR) {
                    int mr = Math.min(MR, M - i0);
                    // Rows of A (unit column stride) are read in place, six sequential streams. A
                    // column-strided A (a transpose) would touch a new cache line per k step, so
                    // its
                    // MR×kc strip is packed k-major first; packed rows past M repeat the last one.
                    float[] pa = a;
                    int paOff = aOff + i0 * ars + k0 * aks, pars = ars, paks = aks, pmr = mr;
                    if (aks != 1) {
                        packA(s.packA, a, paOff, ars, aks, mr, kc);
                        pa = s.packA;
                        paOff = 0;
                        pars = 1;
                        paks = MR;
                        pmr = MR;
                    }
                    for (int jp = 0; jp < nc; jp += NR) {
                        int nr = Math.min(NR, nc - jp);
                        int cBase = cOff + i0 * ldc + j0 + jp;
                        if (mr == MR && nr == NR) {
                            kernel(
                                    pa, paOff, pars, paks, MR, packB, jp * kc, kc, c, cBase, ldc,
                                    acc);
                        } else {
                            edge(
                                    pa, paOff, pars, paks, pmr, nr, mr, packB, jp * kc, kc, c,
                                    cBase, ldc, acc, s.tile);
                        }
                    }
                }
            }
        }
    }

    /**
     * {@code dst[k·MR + r] = A(r, k)} for k < kc, r < MR, with rows at or past mr repeating row mr
     * − 1.
     */
    private static void packA(float[] dst, float[] a, int aOff, int ars, int aks, int mr, int kc) {
        for (int r = 0; r < MR; r++) {
            int src = aOff + Math.min(r, mr - 1) * ars;
            for (int k = 0; k < kc; k++) dst[k * MR + r] = a[src + k * aks];
        }
    }

    /**
     * A partial tile: computed in full into {@code tile}, then the valid mr × nr corner is stored.
     */
    private static void edge(
            float[] a,
            int aOff,
            int ars,
            int aks,
            int kmr,
            int nr,
            int mr,
            float[] b,
            int bOff,
            int kc,
            float[] c,
            int cOff,
            int ldc,
            boolean acc,
            float[] tile) {
        kernel(a, aOff, ars, aks, kmr, b, bOff, kc, tile, 0, NR, false);
        for (int i = 0; i < mr; i++) {
            int ci = cOff + i * ldc, ti = i * NR;
            if (acc) for (int j = 0; j < nr; j++) c[ci + j] += tile[ti + j];
            else System.arraycopy(tile, ti, c, ci, nr);
        }
    }

    /**
     * The MR×NR micro-kernel over kc steps. Rows at or beyond {@code mr} re-read row mr − 1 (never
     * out of bounds) and their results are discarded by the caller; with mr < MR the caller passes
     * a tile buffer as C.
     */
    static void kernel(
            float[] a,
            int aOff,
            int ars,
            int aks,
            int mr,
            float[] b,
            int bOff,
            int kc,
            float[] c,
            int cOff,
            int ldc,
            boolean acc) {
        int r1 = Math.min(1, mr - 1) * ars,
                r2 = Math.min(2, mr - 1) * ars,
                r3 = Math.min(3, mr - 1) * ars;
        int r4 = Math.min(4, mr - 1) * ars, r5 = Math.min(5, mr - 1) * ars;
        FloatVector c00 = FloatVector.zero(F),
                c01 = c00,
                c10 = c00,
                c11 = c00,
                c20 = c00,
                c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        int ao = aOff, bo = bOff;
        for (int k = 0; k < kc; k++, ao += aks, bo += NR) {
            FloatVector b0 = FloatVector.fromArray(F, b, bo),
                    b1 = FloatVector.fromArray(F, b, bo + L);
            FloatVector av = FloatVector.broadcast(F, a[ao]);
            c00 = b0.fma(av, c00);
            c01 = b1.fma(av, c01);
            av = FloatVector.broadcast(F, a[ao + r1]);
            c10 = b0.fma(av, c10);
            c11 = b1.fma(av, c11);
            av = FloatVector.broadcast(F, a[ao + r2]);
            c20 = b0.fma(av, c20);
            c21 = b1.fma(av, c21);
            av = FloatVector.broadcast(F, a[ao + r3]);
            c30 = b0.fma(av, c30);
            c31 = b1.fma(av, c31);
            av = FloatVector.broadcast(F, a[ao + r4]);
            c40 = b0.fma(av, c40);
            c41 = b1.fma(av, c41);
            av = FloatVector.broadcast(F, a[ao + r5]);
            c50 = b0.fma(av, c50);
            c51 = b1.fma(av, c51);
        }
        store(c, cOff, c00, c01, acc);
        store(c, cOff + ldc, c10, c11, acc);
        store(c, cOff + 2 * ldc, c20, c21, acc);
        store(c, cOff + 3 * ldc, c30, c31, acc);
        store(c, cOff + 4 * ldc, c40, c41, acc);
        store(c, cOff + 5 * ldc, c50, c51, acc);
    }

    private static void store(float[] c, int off, FloatVector v0, FloatVector v1, boolean acc) {
        if (acc) {
            v0 = v0.add(FloatVector.fromArray(F, c, off));
            v1 = v1.add(FloatVector.fromArray(F, c, off + L));
        }
        v0.intoArray(c, off);
        v1.intoArray(c, off + L);
    }

    // ---------------------------------------------------------------- B packers for plain matrices

    /** B (K, N) row-major from {@code b[off + k·ld + n]}. */
    static final class RowMajor implements BPack {
        float[] b;
        int off, ld;

        RowMajor set(float[] b, int off, int ld) {
            this.b = b;
            this.off = off;
            this.ld = ld;
            return this;
        }

        @Override
        public void pack(float[] dst, int dOff, int k0, int kc, int j0, int nr) {
            for (int kk = 0; kk < kc; kk++) {
                int src = off + (k0 + kk) * ld + j0, d = dOff + kk * NR;
                System.arraycopy(b, src, dst, d, nr);
                if (nr < NR) Arrays.fill(dst, d + nr, d + NR, 0f);
            }
        }
    }

    /** B (K, N) stored transposed, {@code B(k, n) = b[off + n·ld + k]}. */
    static final class Transposed implements BPack {
        float[] b;
        int off, ld;

        Transposed set(float[] b, int off, int ld) {
            this.b = b;
            this.off = off;
            this.ld = ld;
            return this;
        }

        @Override
        public void pack(float[] dst, int dOff, int k0, int kc, int j0, int nr) {
            if (nr < NR)
                for (int kk = 0; kk < kc; kk++)
                    Arrays.fill(dst, dOff + kk * NR + nr, dOff + kk * NR + NR, 0f);
            for (int jj = 0; jj < nr; jj++) {
                int src = off + (j0 + jj) * ld + k0, d = dOff + jj;
                for (int kk = 0; kk < kc; kk++) dst[d + kk * NR] = b[src + kk];
            }
        }
    }
}
