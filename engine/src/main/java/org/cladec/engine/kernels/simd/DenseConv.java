package org.cladec.engine.kernels.simd;

import static org.cladec.engine.kernels.simd.Gemm.NR;
import static org.cladec.engine.kernels.simd.Simd.F;
import static org.cladec.engine.kernels.simd.Simd.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import org.cladec.engine.kernels.ConvGeom;

/**
 * A convolution over planes smaller than its kernel window, as one dense matrix product per image
 * batch: the convolution is a linear map from an image's input (C, H, W) to its output (OC, OH,
 * OW), the matrix {@code D (R = OC·OH·OW, Q = C·H·W)} whose entry (r, q) is the weight of the one
 * tap that links output pixel r to input pixel q, or 0 when none does.
 *
 * <p>im2col multiplies every output pixel by all KH·KW taps, padding included; D multiplies it by
 * the H·W input pixels, each once. On the 2 × 2 planes at the end of the classifier (a 3 × 3 kernel
 * with padding 1, at stride 1 and 2) that is 4 products instead of 9, and on a decoder's first
 * transposed convolution (1 × 1 → 2 × 2, kernel 4) 4 instead of 16. D is never stored: its panels
 * are packed for GEMM straight from the weights (a full panel's rows by vector gathers through
 * per-geometry index tables, {@link Gathers}), and the product writes NCHW rows directly, so there
 * is no im2col, no col2im and no scatter of the output.
 *
 * <ul>
 *   <li>forward: out (n, R) = x (n, Q) · Dᵀ;
 *   <li>backwardInput: dx (n, Q) += dOut (n, R) · D;
 *   <li>backwardWeight: dD (R, Qc) = dOutᵀ (R, N) · x (N, Qc) over the part's channels, then each
 *       entry is added onto the weight of its tap.
 * </ul>
 */
final class DenseConv {
    private DenseConv() {}

    /** Upper bound on the floats of D (and of its gradient buffer). */
    static final int MAX_DENSE = 1 << 22;

    /**
     * Whether the dense form does at most 3/4 of im2col's products (H·W against KH·KW per output
     * pixel and input channel) and D stays small.
     */
    static boolean applies(ConvGeom g) {
        long hw = (long) g.H * g.W, kk = (long) g.KH * g.KW;
        long size = (long) g.OC * g.OH * g.OW * g.C * hw;
        return 4 * hw <= 3 * kk && size <= MAX_DENSE;
    }

    /**
     * forward for images [nLo, nHi) and output channels [ocLo, ocHi): out (n, R part) = x (n, Q) ·
     * Dᵀ, packing only the part's columns of D (an image split passes every channel, a channel
     * split every image). With {@code keep} (inference), the packed part is kept for the next call
     * with these weights ({@link Kept}).
     */
    static void forward(
            float[] out,
            float[] x,
            float[] w,
            float[] b,
            ConvGeom g,
            boolean accumulate,
            int nLo,
            int nHi,
            int ocLo,
            int ocHi,
            boolean keep,
            Gemm.Scratch s) {
        final int OHW = g.OH * g.OW, R = g.OC * OHW, Q = g.C * g.H * g.W;
        if (nHi <= nLo || ocHi <= ocLo) return;
        int cols = (ocHi - ocLo) * OHW;
        Gemm.BPack d = keep ? Kept.of(w, g, ocLo, ocHi, true, s) : transposed(w, g, ocLo, s);
        Gemm.gemm(
                out,
                nLo * R + ocLo * OHW,
                R,
                x,
                nLo * Q,
                Q,
                1,
                d,
                nHi - nLo,
                cols,
                Q,
                accumulate,
                s);
        if (b != null) SimdConvKernels.addBias(out, b, g.OC, OHW, nLo, nHi, ocLo, ocHi);
    }

    /** The forward's packer: Dᵀ's columns from output channel ocLo's first on. */
    private static Packer transposed(float[] w, ConvGeom g, int ocLo, Gemm.Scratch s) {
        return s.dense.set(w, g, s, true).from(ocLo * g.OH * g.OW);
    }

    /**
     * A part of Dᵀ (the forward's: output channels [lo, hi), all of Q) or of D (the input
     * gradient's: input channels [lo, hi), all of R) packed once and kept, with a copy of the
     * weights it came from, for the next call with weights that do not change between calls
     * (inference, a frozen network), as {@link KeptWeights} says: comparing the part's weights
     * takes about a fifth of the gathers' time. The two dense layers at the classifier's end packed
     * their D in every call, ~10% of an inference step.
     */
    static final class Kept extends KeptWeights {
        final Gemm.Packed packed = new Gemm.Packed();

        /** The thread's kept Dᵀ (rows: output channels [lo, hi)) or D of w, packed and current. */
        static Gemm.Packed of(float[] w, ConvGeom g, int lo, int hi, boolean rows, Gemm.Scratch s) {
            return s.kept(w, g, lo, hi, rows, Kept.class, Kept::new).current(w, s);
        }

        /** The packed part, packed again first unless the part's weights are those it came from. */
        Gemm.Packed current(float[] w, Gemm.Scratch s) {
            if (unchanged(w)) return packed;
            final int HW = g.H * g.W, OHW = g.OH * g.OW;
            return rows
                    ? packed.fill(transposed(w, g, lo, s), g.C * HW, (hi - lo) * OHW, s)
                    : packed.fill(
                            s.dense.set(w, g, s, false).from(lo * HW),
                            g.OC * OHW,
                            (hi - lo) * HW,
                            s);
        }

        @Override
        long derivedFloats() {
            long HW = (long) g.H * g.W, OHW = (long) g.OH * g.OW;
            return (hi - lo) * (rows ? OHW * g.C * HW : HW * g.OC * OHW);
        }

        @Override
        long derivedSize() {
            return packed.data.length;
        }

        @Override
        void releaseDerived() {
            packed.data = new float[0];
        }
    }

    /**
     * backwardInput for images [nLo, nHi) and input channels [cLo, cHi): dx (n, Q part) += dOut (n,
     * R) · D, packing only the part's columns of D. With {@code keep} (weights that do not change
     * between calls), the packed part is kept for the next call ({@link Kept}).
     */
    static void backwardInput(
            float[] dx,
            float[] dOut,
            float[] w,
            ConvGeom g,
            int nLo,
            int nHi,
            int cLo,
            int cHi,
            boolean keep,
            Gemm.Scratch s) {
        final int HW = g.H * g.W, R = g.OC * g.OH * g.OW, Q = g.C * HW;
        if (nHi <= nLo || cHi <= cLo) return;
        Gemm.BPack d =
                keep
                        ? Kept.of(w, g, cLo, cHi, false, s)
                        : s.dense.set(w, g, s, false).from(cLo * HW);
        Gemm.gemm(
                dx,
                nLo * Q + cLo * HW,
                Q,
                dOut,
                nLo * R,
                R,
                1,
                d,
                nHi - nLo,
                (cHi - cLo) * HW,
                R,
                true,
                s);
    }

    static void backwardWeight(
            float[] dw, float[] dOut, float[] x, ConvGeom g, int cLo, int cHi, Gemm.Scratch s) {
        final int HW = g.H * g.W, R = g.OC * g.OH * g.OW, Qc = (cHi - cLo) * HW;
        if (Qc <= 0) return;
        Gemm.RowMajor xb = s.rowMajor.set(x, cLo * HW, g.C * HW);
        // A = dOutᵀ: A(r, n) = dOut[n·R + r]
        if (WeightSink.applies(g))
            Gemm.gemmToSink(s.denseWeights.set(dw, g, cLo, s), dOut, 0, 1, R, xb, R, Qc, g.N, s);
        else writtenOut(dw, dOut, xb, g, cLo, cHi, s);
    }

    /** backwardWeight with dD written out whole, then each entry added onto its tap's weight. */
    static void writtenOut(
            float[] dw,
            float[] dOut,
            Gemm.RowMajor xb,
            ConvGeom g,
            int cLo,
            int cHi,
            Gemm.Scratch s) {
        final int OHW = g.OH * g.OW, HW = g.H * g.W, R = g.OC * OHW;
        final int KK = g.KH * g.KW, Qc = (cHi - cLo) * HW;
        float[] dd = s.temp(R * Qc);
        Gemm.gemm(dd, 0, Qc, dOut, 0, 1, R, xb, R, Qc, g.N, false, s);
        int[] tap = taps(g, s);
        for (int r = 0; r < R; r++) {
            int oc = r / OHW, t0 = (r % OHW) * HW, row = r * Qc;
            for (int c = cLo; c < cHi; c++) {
                int wb = (oc * g.C + c) * KK, col = row + (c - cLo) * HW;
                for (int q = 0; q < HW; q++) {
                    int t = tap[t0 + q];
                    if (t >= 0) dw[wb + t] += dd[col + q];
                }
            }
        }
    }

    /**
     * backwardWeight's product dD handed over tile by tile, each entry added onto the weight of its
     * tap while the tile is in L1. Written out, dD is R × Qc floats (8 MB on the classifier's 256 →
     * 512 layer), stored and read back through L3: with two threads each streaming its half the
     * kernel ran at 1.4-1.5× the one-thread speed.
     *
     * <p>Used where an input channel's H·W columns never straddle two column panels (NR a multiple
     * of H·W): then each weight receives its terms from one panel, in the order of the rows, as the
     * written-out form adds them, wherever the part's channels start.
     */
    static final class WeightSink implements Gemm.TileSink {
        private float[] dw;
        private int[] target;
        private int OHW, HW, KK, CKK, cLo;

        /** Whether {@code g}'s weight gradient can take this sink (the batch is one k-block). */
        static boolean applies(ConvGeom g) {
            return NR % (g.H * g.W) == 0 && g.N <= Gemm.KC_SINK;
        }

        /**
         * Uses scratch table 0 for the targets: {@code target[p·NR + j]}, for output pixel p and
         * column j of a panel, is the offset in dw of the weight that links them, from the weights
         * of the panel's first channel, or −1 where no tap does.
         */
        WeightSink set(float[] dw, ConvGeom g, int cLo, Gemm.Scratch s) {
            this.dw = dw;
            this.cLo = cLo;
            this.OHW = g.OH * g.OW;
            this.HW = g.H * g.W;
            this.KK = g.KH * g.KW;
            this.CKK = g.C * KK;
            int[] tap = taps(g, s); // table 1; table 0 (the sources) is free again
            target = s.ints(0, OHW * NR);
            for (int p = 0; p < OHW; p++)
                for (int j = 0; j < NR; j++) {
                    int t = tap[p * HW + j % HW];
                    target[p * NR + j] = t < 0 ? -1 : j / HW * KK + t;
                }
            return this;
        }

        @Override
        public void add(float[] tile, int row0, int col0, int mr, int nr) {
            ConvPacks.addThrough(dw, (cLo + col0 / HW) * KK, OHW, CKK, target, tile, row0, mr, nr);
        }
    }

    /**
     * {@code tap[p·H·W + q]} = kh·KW + kw of the tap linking output pixel p to input pixel q, or
     * −1: {@link ConvPacks#sources} inverted (a pixel pair has at most one tap: kh is fixed by the
     * rows, kw by the columns). In scratch table 1.
     */
    static int[] taps(ConvGeom g, Gemm.Scratch s) {
        final int HW = g.H * g.W, OHW = g.OH * g.OW, KK = g.KH * g.KW;
        int[] src = ConvPacks.sources(g, s), tap = s.ints(1, OHW * HW);
        Arrays.fill(tap, 0, OHW * HW, -1);
        for (int t = 0; t < KK; t++) {
            for (int p = 0; p < OHW; p++) {
                int q = src[t * OHW + p];
                if (q >= 0) tap[p * HW + q] = t;
            }
        }
        return tap;
    }

    /**
     * Packs D (backwardInput: B = D, k = r, n = q) or Dᵀ (forward: k = q, n = r) from the weights.
     * Each packed column (forward) or row (backwardInput) walks one output pixel's row of D, whose
     * entries lie in one weight row, so the reads stay close together.
     */
    static final class Packer implements Gemm.BPack {
        private float[] w;
        private int[] tap;
        private int C, HW, OHW, KK, col0;
        private boolean transposed;

        private Gathers gathers;

        /** {@link #packBlock}'s per-vector table columns and weight offsets. */
        private final int[] blockStarts = new int[2 * ((Gemm.NC + L - 1) / L)];

        /**
         * A ClaDec or RefAE step packs six (geometry, direction) pairs: the classifier's two dense
         * layers both ways and the decoder's first layer both ways.
         */
        private final Gathers[] recent = new Gathers[8];

        private int next;

        Packer set(float[] w, ConvGeom g, Gemm.Scratch s, boolean transposed) {
            this.w = w;
            this.tap = taps(g, s);
            this.C = g.C;
            this.HW = g.H * g.W;
            this.OHW = g.OH * g.OW;
            this.KK = g.KH * g.KW;
            this.transposed = transposed;
            this.col0 = 0;
            this.gathers = gathers();
            return this;
        }

        /** This geometry's gather tables, from the last eight geometries' or built anew. */
        private Gathers gathers() {
            for (Gathers g : recent)
                if (g != null && g.matches(C, HW, OHW, KK, tap, transposed)) return g;
            Gathers g = new Gathers(C, HW, OHW, KK, tap, transposed);
            recent[next] = g;
            next = (next + 1) % recent.length;
            return g;
        }

        /** Packs B's columns from column {@code col0} of the whole matrix on. */
        Packer from(int col0) {
            this.col0 = col0;
            return this;
        }

        /** {@code dst[i·step] = D(r, q0 + i)} for i < len. */
        private void row(float[] dst, int d, int step, int r, int q0, int len) {
            int wb = (r / OHW) * C * KK, t0 = (r % OHW) * HW;
            int c = q0 / HW, q = q0 % HW;
            for (int i = 0; i < len; i++, d += step) {
                int t = tap[t0 + q];
                dst[d] = t < 0 ? 0f : w[wb + c * KK + t];
                if (++q == HW) {
                    q = 0;
                    c++;
                }
            }
        }

        @Override
        public void pack(float[] dst, int off, int k0, int kc, int j0, int nr) {
            j0 += col0;
            if (nr % L == 0) {
                gatherPanel(dst, off, k0, kc, j0, nr);
            } else if (transposed) {
                // B(k = q, n = r) = D(r, q): column jj of the panel is a stretch of row j0 + jj
                for (int jj = 0; jj < nr; jj++) row(dst, off + jj, NR, j0 + jj, k0, kc);
                if (nr < NR)
                    for (int kk = 0; kk < kc; kk++)
                        Arrays.fill(dst, off + kk * NR + nr, off + (kk + 1) * NR, 0f);
            } else {
                // B(k = r, n = q) = D(r, q): row kk of the panel is a stretch of row k0 + kk
                for (int kk = 0; kk < kc; kk++) {
                    int d = off + kk * NR;
                    row(dst, d, 1, k0 + kk, j0, nr);
                    if (nr < NR) Arrays.fill(dst, d + nr, d + NR, 0f);
                }
            }
        }

        /**
         * The input gradient's D, when every output channel has several pixels, is gathered row by
         * row across all the block's panels. Its rows are (output channel, output pixel), so OH·OW
         * consecutive rows read the same stretch of one weight row, a few KiB long: read once, it
         * serves them from L1. Panel by panel, each row read a few hundred bytes, and the next
         * panel fetched the same weight rows again from L3 (JFR: the panel-by-panel gathers were
         * 40% of the 2 × 2 layers' kernels; ConvBench backwardInput c128x256x2x2to512k3s1p1 7.4 →
         * 4.6 ms). Dᵀ (the forward pass) and one-pixel outputs measured slower in this order
         * (t128x64x1x1to512k4s2p1 forward 0.31 → 0.45 ms, c128x512x2x2to512k3s2p1 forward 2.5 → 3.1
         * ms), so they stay panel by panel.
         */
        @Override
        public void packBlock(float[] dst, int k0, int kc, int j0, int nc) {
            if (nc % L != 0 || transposed || OHW == 1) {
                Gemm.BPack.super.packBlock(dst, k0, kc, j0, nc);
                return;
            }
            j0 += col0;
            final FloatVector zero = FloatVector.zero(F);
            final int CKK = C * KK, vs = nc / L, perPanel = NR / L;
            zeroPastColumns(dst, 0, kc, nc);
            // per vector v of the block (panel v / perPanel, lanes v % perPanel): its column of
            // the gather tables (tables[v]) and its first weight at row k0 (tables[vs + v])
            int[] tables = blockStarts;
            for (int v = 0; v < vs; v++) {
                tables[v] = tableColumn(j0 + v * L);
                tables[vs + v] = firstWeight(j0 + v * L, k0);
            }
            int pos = k0 % OHW, shift = 0;
            for (int kk = 0; kk < kc; kk++) {
                int t = pos * HW;
                for (int v = 0; v < vs; v++) {
                    int tv = tables[v] + t,
                            d = (v / perPanel) * NR * kc + kk * NR + (v % perPanel) * L;
                    FloatVector g =
                            FloatVector.fromArray(
                                    F, w, tables[vs + v] + shift, gathers.index[tv], 0);
                    zero.blend(g, gathers.valid[tv]).intoArray(dst, d);
                }
                if (++pos == OHW) {
                    pos = 0;
                    shift += CKK;
                }
            }
        }

        /**
         * The gather tables' column for a vector of columns starting at column {@code first}:
         * transposed, its first output pixel's phase among OH·OW, times H·W; otherwise its first
         * input pixel's phase among H·W.
         */
        private int tableColumn(int first) {
            return transposed ? first % OHW * HW : first % HW;
        }

        /**
         * The offset in w from which the gathers of a vector of columns starting at column {@code
         * first} reach row k0: the first column's output channel and row k0's input channel
         * (transposed), or row k0's output channel and the first column's input channel.
         */
        private int firstWeight(int first, int k0) {
            return transposed
                    ? first / OHW * C * KK + k0 / HW * KK
                    : k0 / OHW * C * KK + first / HW * KK;
        }

        /** Zeroes the vectors of the last panel past column nc (a multiple of L) of the block. */
        private static void zeroPastColumns(float[] dst, int off, int kc, int nc) {
            final FloatVector zero = FloatVector.zero(F);
            final int perPanel = NR / L, vs = nc / L, last = (vs - 1) / perPanel;
            for (int u = vs - last * perPanel; u < perPanel; u++)
                for (int kk = 0, d = off + last * NR * kc + u * L; kk < kc; kk++, d += NR)
                    zero.intoArray(dst, d);
        }

        /**
         * A panel of nr columns, a multiple of L (the rest of its NR columns zero), a vector of
         * columns at a time: each row of L columns is one gather from w through the table of the
         * columns' phase and the row's position, with zeros where no tap links the pixels.
         * Transposed (forward), row kk is D(r, q = k0 + kk) for L consecutive r: the rows walk an
         * input channel's pixels, then move on to the next channel (KK weights on). Otherwise
         * (input gradient) row kk is D(r = k0 + kk, q) for L consecutive q: the rows walk an output
         * channel's pixels, then the next output channel (C·KK weights on).
         */
        private void gatherPanel(float[] dst, int off, int k0, int kc, int j0, int nr) {
            final FloatVector zero = FloatVector.zero(F);
            final int period = transposed ? HW : OHW, step = transposed ? KK : C * KK;
            final int tStride = transposed ? 1 : HW;
            zeroPastColumns(dst, off, kc, nr);
            for (int jj = 0; jj < nr; jj += L) {
                int first = j0 + jj, tBase = tableColumn(first), base = firstWeight(first, k0);
                int pos = k0 % period, d = off + jj;
                for (int kk = 0; kk < kc; kk++, d += NR) {
                    int t = tBase + pos * tStride;
                    FloatVector v = FloatVector.fromArray(F, w, base, gathers.index[t], 0);
                    zero.blend(v, gathers.valid[t]).intoArray(dst, d);
                    if (++pos == period) {
                        pos = 0;
                        base += step;
                    }
                }
            }
        }
    }

    /**
     * Gather tables for panels whose width is whole vectors. Transposed (forward): for the phase ph
     * of a vector's first column among the OHW output pixels and each input pixel iq, lane l's
     * offset into w from the first column's output channel: (ph + l) / OHW channels on, at the tap
     * linking pixel (ph + l) % OHW to iq. Not transposed (input gradient): for each output pixel p
     * and the phase ph of the first column among the H·W input pixels, lane l's offset from the
     * first column's input channel: (ph + l) / HW channels on, at the tap linking p to pixel (ph +
     * l) % HW. Offset 0 (a valid index, blended away) where no tap links the pixels.
     */
    static final class Gathers {
        private final int C, HW, OHW, KK;
        private final boolean transposed;
        private final int[] tap;
        final int[][] index;
        final VectorMask<Float>[] valid;

        @SuppressWarnings("unchecked")
        Gathers(int C, int HW, int OHW, int KK, int[] tap, boolean transposed) {
            this.C = C;
            this.HW = HW;
            this.OHW = OHW;
            this.KK = KK;
            this.transposed = transposed;
            this.tap = Arrays.copyOf(tap, OHW * HW);
            index = new int[OHW * HW][L];
            valid = new VectorMask[OHW * HW];
            for (int a = 0; a < OHW; a++) {
                for (int b = 0; b < HW; b++) {
                    boolean[] in = new boolean[L];
                    for (int l = 0; l < L; l++) {
                        int t, step;
                        if (transposed) { // a = ph over OHW, b = iq
                            t = tap[(a + l) % OHW * HW + b];
                            step = (a + l) / OHW * C * KK;
                        } else { // a = p, b = ph over HW
                            t = tap[a * HW + (b + l) % HW];
                            step = (b + l) / HW * KK;
                        }
                        in[l] = t >= 0;
                        index[a * HW + b][l] = t < 0 ? 0 : step + t;
                    }
                    valid[a * HW + b] = VectorMask.fromArray(F, in, 0);
                }
            }
        }

        boolean matches(int C, int HW, int OHW, int KK, int[] tap, boolean transposed) {
            int n = OHW * HW;
            return this.C == C
                    && this.HW == HW
                    && this.OHW == OHW
                    && this.KK == KK
                    && this.transposed == transposed
                    && Arrays.equals(this.tap, 0, n, tap, 0, n);
        }
    }
}
