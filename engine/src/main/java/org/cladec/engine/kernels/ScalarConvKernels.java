package org.cladec.engine.kernels;

/**
 * Reference convolution kernels in plain Java: a convolution is a matrix product over an im2col
 * matrix, written out as loops a reader can check against the formula in {@link ConvGeom}. They are
 * the oracle the SIMD kernels are tested against (the tests check them in turn against the direct
 * six-loop formula) and the fallback when the Vector API is missing.
 *
 * <p>Columns of an im2col matrix index (image, output pixel); rows index (c, kh, kw), the layout of
 * a weight row. Several images share one matrix so that rows stay long even for the 1×1 and 2×2
 * maps deep in a network: the innermost loops then run over contiguous rows of a few hundred
 * floats, which HotSpot's auto-vectoriser turns into SIMD code without any Vector API, so this
 * fallback is fast enough for the demo.
 *
 * <ul>
 *   <li>forward: out (OC, cols) = w (OC, K) · cols (K, cols), K = C·KH·KW;
 *   <li>backwardInput: dcols (K, cols) = wᵀ (K, OC) · dOut (OC, cols), then col2im adds into dx;
 *   <li>backwardWeight: dw[:, rows of c] (OC, Kr) += dOut (OC, R) · colsᵀ (R, Kr).
 * </ul>
 *
 * Scratch matrices are per thread and grow to the largest chunk seen, so steady-state calls do not
 * allocate.
 */
public final class ScalarConvKernels implements ConvKernels {
    /** Columns (images × output pixels) per matrix product when images are batched. */
    static final int TARGET_COLS = 256;

    /** Upper bound on the floats of one im2col chunk. */
    static final int MAX_IM2COL = 1 << 21;

    /** Rows of b per block of the matrix product (see {@link #multiplyAdd}). */
    static final int KB = 16;

    /** Columns per block of the matrix product: one block row is a few KB of L1. */
    static final int NB = 256;

    private static final class Scratch {
        float[] a = new float[0], b = new float[0];
        final float[][] rows = new float[KB][NB];
        final float[] acc = new float[NB];

        float[] a(int n) {
            if (a.length < n) a = new float[n];
            return a;
        }

        float[] b(int n) {
            if (b.length < n) b = new float[n];
            return b;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Images per chunk: enough for {@code target} columns, within {@link #MAX_IM2COL}. */
    private static int images(int pixels, int target, int rows, int nLeft) {
        int byTarget = (target + pixels - 1) / pixels,
                byMemory = MAX_IM2COL / Math.max(1, rows * pixels);
        return Math.max(1, Math.min(nLeft, Math.min(byTarget, byMemory)));
    }

    @Override
    public void forward(
            float[] out,
            float[] x,
            float[] w,
            float[] b,
            ConvGeom g,
            boolean accumulate,
            int nLo,
            int nHi) {
        Scratch s = SCRATCH.get();
        final int OC = g.OC, K = g.C * g.KH * g.KW, OHW = g.OH * g.OW;
        int nb = images(OHW, TARGET_COLS, K, nHi - nLo);
        for (int n0 = nLo; n0 < nHi; n0 += nb) {
            int cnt = Math.min(nb, nHi - n0), cols = cnt * OHW;
            float[] im = s.a(K * cols), prod = s.b(OC * cols);
            im2col(im, cols, 1, x, g, n0, cnt, 0, g.C);
            java.util.Arrays.fill(prod, 0, OC * cols, 0f);
            multiplyAdd(prod, 0, cols, w, 0, K, 1, im, 0, cols, OC, cols, K);
            for (int n = 0; n < cnt; n++) { // (OC, images × pixels) back to NCHW
                for (int oc = 0; oc < OC; oc++) {
                    int src = oc * cols + n * OHW, dst = ((n0 + n) * OC + oc) * OHW;
                    float bias = b == null ? 0f : b[oc];
                    for (int i = 0; i < OHW; i++) {
                        float v = prod[src + i] + bias;
                        out[dst + i] = accumulate ? out[dst + i] + v : v;
                    }
                }
            }
        }
    }

    @Override
    public void backwardInput(float[] dx, float[] dOut, float[] w, ConvGeom g, int nLo, int nHi) {
        Scratch s = SCRATCH.get();
        final int OC = g.OC, K = g.C * g.KH * g.KW, OHW = g.OH * g.OW;
        int nb = images(OHW, TARGET_COLS, K + OC, nHi - nLo);
        for (int n0 = nLo; n0 < nHi; n0 += nb) {
            int cnt = Math.min(nb, nHi - n0), cols = cnt * OHW;
            float[] d = s.a(OC * cols), dcols = s.b(K * cols);
            outRows(d, dOut, OC, OHW, n0, cnt);
            java.util.Arrays.fill(dcols, 0, K * cols, 0f);
            multiplyAdd(dcols, 0, cols, w, 0, 1, K, d, 0, cols, K, cols, OC);
            col2im(dx, dcols, g, n0, cnt, cols);
        }
    }

    @Override
    public void backwardWeight(float[] dw, float[] dOut, float[] x, ConvGeom g, int cLo, int cHi) {
        Scratch s = SCRATCH.get();
        final int N = g.N, OC = g.OC, KK = g.KH * g.KW, K = g.C * KK, OHW = g.OH * g.OW;
        final int Kr = (cHi - cLo) * KK;
        if (Kr <= 0) return;
        int nb = images(OHW, 2048, Kr + OC, N);
        for (int n0 = 0; n0 < N; n0 += nb) {
            int cnt = Math.min(nb, N - n0), R = cnt * OHW;
            float[] d = s.a(OC * R), colsT = s.b(R * Kr);
            outRows(d, dOut, OC, OHW, n0, cnt);
            im2col(colsT, 1, Kr, x, g, n0, cnt, cLo, cHi); // transposed: (R, Kr)
            multiplyAdd(dw, cLo * KK, K, d, 0, R, 1, colsT, 0, Kr, OC, Kr, R);
        }
    }

    /**
     * {@code c[i, j] += Σ_k a[i, k] · b[k, j]} for i < M, j < N, k < K, where {@code c[i, j] =
     * c[cOff + i·ldc + j]}, {@code a[i, k] = a[aOff + i·ai + k·ak]} (any strides, so wᵀ needs no
     * copy) and {@code b[k, j] = b[bOff + k·ldb + j]}.
     *
     * <p>Blocked by {@link #NB} columns and {@link #KB} rows of b. Each block of b is copied into
     * rows of its own, and each row of c into an accumulator, so the innermost loop reads and
     * writes every array at the same index j. That shape matters: HotSpot's C2 (JDK 17) does not
     * auto-vectorise {@code c[ci + j] += a · b[bk + j]} with different offsets into float arrays
     * (it cannot rule out overlap), and runs it at about a quarter of the speed of {@code s[j] += a
     * · r[j]}. The copies cost O(N·K/M + M·N·K/KB) moves against M·N·K multiply-adds.
     */
    static void multiplyAdd(
            float[] c,
            int cOff,
            int ldc,
            float[] a,
            int aOff,
            int ai,
            int ak,
            float[] b,
            int bOff,
            int ldb,
            int M,
            int N,
            int K) {
        Scratch scratch = SCRATCH.get();
        float[][] rows = scratch.rows;
        float[] s = scratch.acc;
        for (int j0 = 0; j0 < N; j0 += NB) {
            final int nb = Math.min(NB, N - j0);
            for (int k0 = 0; k0 < K; k0 += KB) {
                final int kb = Math.min(KB, K - k0);
                for (int t = 0; t < kb; t++) {
                    System.arraycopy(b, bOff + (k0 + t) * ldb + j0, rows[t], 0, nb);
                }
                for (int i = 0; i < M; i++) {
                    int ci = cOff + i * ldc + j0, ar = aOff + i * ai + k0 * ak;
                    System.arraycopy(c, ci, s, 0, nb);
                    int t = 0;
                    for (; t + 4 <= kb; t += 4) {
                        float a0 = a[ar + t * ak],
                                a1 = a[ar + (t + 1) * ak],
                                a2 = a[ar + (t + 2) * ak],
                                a3 = a[ar + (t + 3) * ak];
                        float[] r0 = rows[t], r1 = rows[t + 1], r2 = rows[t + 2], r3 = rows[t + 3];
                        for (int j = 0; j < nb; j++) {
                            s[j] += a0 * r0[j] + a1 * r1[j] + a2 * r2[j] + a3 * r3[j];
                        }
                    }
                    for (; t < kb; t++) {
                        float a0 = a[ar + t * ak];
                        float[] r0 = rows[t];
                        for (int j = 0; j < nb; j++) s[j] += a0 * r0[j];
                    }
                    System.arraycopy(s, 0, c, ci, nb);
                }
            }
        }
    }

    /**
     * The im2col matrix of images {@code [n0, n0 + cnt)} and channels {@code [cLo, cHi)}: element
     * (row (c − cLo, kh, kw), column (n − n0, oh, ow)) is {@code x[n, c, oh·SH + kh − PH, ow·SW +
     * kw − PW]}, or 0 in the padding, stored at {@code dst[row·rowStride + column·colStride]}. Each
     * tap's valid output range [lo, hi) is computed once (see {@link ConvGeom#lo}), so the inner
     * loop has no padding test.
     */
    static void im2col(
            float[] dst,
            int rowStride,
            int colStride,
            float[] x,
            ConvGeom g,
            int n0,
            int cnt,
            int cLo,
            int cHi) {
        final int C = g.C, H = g.H, W = g.W, KH = g.KH, KW = g.KW, OH = g.OH, OW = g.OW;
        final int SH = g.SH, SW = g.SW, PH = g.PH, PW = g.PW;
        for (int kh = 0; kh < KH; kh++) {
            int ohLo = ConvGeom.lo(kh, SH, PH, OH), ohHi = ConvGeom.hi(kh, SH, PH, H, OH);
            for (int kw = 0; kw < KW; kw++) {
                int owLo = ConvGeom.lo(kw, SW, PW, OW);
                int owHi = ConvGeom.hi(kw, SW, PW, W, OW);
                for (int c = cLo; c < cHi; c++) {
                    int row = (((c - cLo) * KH + kh) * KW + kw) * rowStride;
                    for (int n = 0; n < cnt; n++) {
                        int plane = ((n0 + n) * C + c) * H * W;
                        for (int oh = 0; oh < OH; oh++) {
                            int d = row + (n * OH + oh) * OW * colStride;
                            if (oh < ohLo || oh >= ohHi) {
                                for (int ow = 0; ow < OW; ow++) dst[d + ow * colStride] = 0f;
                                continue;
                            }
                            int xRow = plane + (oh * SH + kh - PH) * W + kw - PW;
                            for (int ow = 0; ow < owLo; ow++) dst[d + ow * colStride] = 0f;
                            for (int ow = owLo; ow < owHi; ow++)
                                dst[d + ow * colStride] = x[xRow + ow * SW];
                            for (int ow = owHi; ow < OW; ow++) dst[d + ow * colStride] = 0f;
                        }
                    }
                }
            }
        }
    }

    /** dOut of images {@code [n0, n0 + cnt)} as a matrix (OC, images × pixels). */
    private static void outRows(float[] dst, float[] dOut, int OC, int OHW, int n0, int cnt) {
        int cols = cnt * OHW;
        for (int n = 0; n < cnt; n++) {
            for (int oc = 0; oc < OC; oc++) {
                System.arraycopy(dOut, ((n0 + n) * OC + oc) * OHW, dst, oc * cols + n * OHW, OHW);
            }
        }
    }

    /**
     * The adjoint of im2col: {@code dx[n, c, ih, iw] += dcols[(c, kh, kw), (n − n0, oh, ow)]} over
     * every tap reading (ih, iw), for dcols (K, cols) with cols = cnt·OH·OW. Shared with the SIMD
     * kernels (a scatter-add has nothing to vectorise). One image and channel at a time, so the
     * plane being added into stays in cache across its taps.
     */
    public static void col2im(float[] dx, float[] dcols, ConvGeom g, int n0, int cnt, int cols) {
        final int C = g.C, H = g.H, W = g.W, KH = g.KH, KW = g.KW, OH = g.OH, OW = g.OW;
        final int SH = g.SH, SW = g.SW, PH = g.PH, PW = g.PW;
        for (int n = 0; n < cnt; n++) {
            for (int c = 0; c < C; c++) {
                int xPlane = ((n0 + n) * C + c) * H * W;
                for (int kh = 0; kh < KH; kh++) {
                    int ohLo = ConvGeom.lo(kh, SH, PH, OH), ohHi = ConvGeom.hi(kh, SH, PH, H, OH);
                    for (int kw = 0; kw < KW; kw++) {
                        int owLo = ConvGeom.lo(kw, SW, PW, OW),
                                owHi = ConvGeom.hi(kw, SW, PW, W, OW);
                        int row = ((c * KH + kh) * KW + kw) * cols + n * OH * OW;
                        for (int oh = ohLo; oh < ohHi; oh++) {
                            int xRow = xPlane + (oh * SH + kh - PH) * W + kw - PW,
                                    src = row + oh * OW;
                            for (int ow = owLo; ow < owHi; ow++)
                                dx[xRow + ow * SW] += dcols[src + ow];
                        }
                    }
                }
            }
        }
    }
}
