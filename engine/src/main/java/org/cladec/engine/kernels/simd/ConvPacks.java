package org.cladec.engine.kernels.simd;

import static org.cladec.engine.kernels.simd.Gemm.NR;
import static org.cladec.engine.kernels.simd.Simd.F;
import static org.cladec.engine.kernels.simd.Simd.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.cladec.engine.kernels.ConvGeom;

/**
 * Convolution operands in GEMM layout. Columns of an im2col matrix index (image, output pixel) =
 * (n0 + j / OHW, j % OHW); rows k index (c, kh, kw), the layout of a weight row.
 */
final class ConvPacks {
    private ConvPacks() {}

    /**
     * Materialises the im2col matrix of images {@code [n0, n0 + cnt)}: row k = (c, kh, kw), column
     * (n − n0, oh, ow) of {@code dst[k·ld + ...]} holds {@code x[n, c, oh·SH + kh − PH, ow·SW + kw
     * − PW]}, or 0 in the padding; only channels [cLo, cHi), whose rows start at dst[0].
     *
     * <p>Every tap reads a stride-1 window of a source plane: x's own planes at stride 1, the phase
     * planes {@link #split} makes at stride 2 and more. So each tap row is filled by array copies,
     * one per plane when output rows are as wide as source rows (3×3 with padding 1, 1×1, and the
     * same at stride 2), with no strided gather per output row. Stride 2 with output rows under two
     * vectors ({@link #byWindows}) needs no phase planes: each half-vector of a row is one permuted
     * load of x ({@link HalfWindows}).
     */
    static void im2col(
            float[] dst,
            int ld,
            float[] x,
            ConvGeom g,
            int n0,
            int cnt,
            int cLo,
            int cHi,
            Gemm.Scratch s) {
        final int C = g.C, KH = g.KH, KW = g.KW, OH = g.OH, OW = g.OW, OHW = OH * OW;
        final int SH = g.SH, SW = g.SW, Hs = ceilDiv(g.H, SH), Ws = ceilDiv(g.W, SW);
        final int P = SH * SW * Hs * Ws, nc = cHi - cLo;
        if (OHW <= IM2COL_SMALL_PIXELS) {
            im2colSmall(dst, ld, x, g, n0, cnt, cLo, cHi, s);
            return;
        }
        if (byShiftCols(g)) { // stride 1 same size, or stride 2 by phase planes
            s.shiftCols.set(x, g, n0, cnt, cLo, cHi, s).rows(dst, ld);
            return;
        }
        if (byWindows(g)) {
            im2colWindows(dst, ld, x, g, n0, cnt, cLo, cHi, s.halfWindows(g));
            return;
        }
        final boolean strided = SH * SW > 1;
        final float[] src = strided ? s.temp3(cnt * nc * P) : x;
        if (strided) split(src, x, g, n0, cnt, cLo, cHi, Hs, Ws);
        for (int kh = 0; kh < KH; kh++) {
            final int dh = shift(kh, g.PH, SH), ohLo = first(dh, OH), ohHi = last(dh, Hs, OH);
            for (int kw = 0; kw < KW; kw++) {
                final int dw = shift(kw, g.PW, SW), owLo = first(dw, OW), owHi = last(dw, Ws, OW);
                final int tap = tapOffset(g, kh, kw, Hs, Ws);
                for (int c = cLo; c < cHi; c++) {
                    int rowBase = (((c - cLo) * KH + kh) * KW + kw) * ld;
                    for (int n = 0; n < cnt; n++) {
                        int plane = strided ? (n * nc + c - cLo) * P : ((n0 + n) * C + c) * P;
                        copyTap(
                                dst,
                                rowBase + n * OHW,
                                src,
                                plane + tap,
                                Ws,
                                OH,
                                OW,
                                ohLo,
                                ohHi,
                                owLo,
                                owHi);
                    }
                }
            }
        }
    }

    /**
     * Output pixels per image up to which {@link #im2col} gathers element by element from a table
     * ({@link #im2colSmall}): on 4 × 4 and 2 × 2 outputs a tap's rows are 2–4 floats, so copying
     * them run by run, with the phase-plane split before at stride 2, costs more per element than
     * the copies themselves.
     */
    static final int IM2COL_SMALL_PIXELS = 16;

    /**
     * {@link #im2col} for small output planes (a single pixel included): each (channel, tap, image)
     * row is a loop over the tap's {@link #sources}, straight from x (no phase planes), or lane
     * permutes where {@link #byPermutes} allows them.
     */
    static void im2colSmall(
            float[] dst,
            int ld,
            float[] x,
            ConvGeom g,
            int n0,
            int cnt,
            int cLo,
            int cHi,
            Gemm.Scratch s) {
        final int C = g.C, HW = g.H * g.W, OHW = g.OH * g.OW, KK = g.KH * g.KW;
        int[] src = sources(g, s);
        if (byPermutes(g)) {
            im2colPermutes(dst, ld, x, g, n0, cnt, cLo, cHi, s.planeTaps(g, src), s.lanes);
            return;
        }
        for (int c = cLo; c < cHi; c++)
            for (int t = 0; t < KK; t++)
                gatherRun(
                        dst,
                        ((c - cLo) * KK + t) * ld,
                        x,
                        src,
                        g,
                        (n0 * C + c) * HW,
                        t,
                        0,
                        cnt * OHW);
    }

    /**
     * {@code dst[d + i]} = column j0 + i of im2col row (c, t) for i < len, the columns (n, p)
     * counted from the plane of channel c in the chunk's first image, {@code plane0} = ((n0·C +
     * c)·H·W); 0 where the tap reads padding. Shared by {@link #im2colSmall} (whole rows) and
     * {@link SmallCols} (one panel's stretch of a row).
     */
    private static void gatherRun(
            float[] dst,
            int d,
            float[] x,
            int[] src,
            ConvGeom g,
            int plane0,
            int t,
            int j0,
            int len) {
        final int OHW = g.OH * g.OW, image = g.C * g.H * g.W, tb = t * OHW;
        int p = j0 % OHW, plane = plane0 + j0 / OHW * image;
        for (int i = 0; i < len; i++) {
            int q = src[tb + p];
            dst[d + i] = q < 0 ? 0f : x[plane + q];
            if (++p == OHW) {
                p = 0;
                plane += image;
            }
        }
    }

    /**
     * Whether {@link #im2col} and {@link #col2im} go by {@link HalfWindows}: stride 2 across,
     * output planes above {@link #IM2COL_SMALL_PIXELS} of whole vectors, output rows of whole
     * half-vectors shorter than two vectors, and input planes of at least a vector: at 512 bits 32
     * × 32 → 16 × 16 and 16 × 16 → 8 × 8. NOTE: at stride 1 (8 × 8 → 8 × 8) the windows measured
     * 13-15% slower on all three kernels than the run copies and adds, which need no phase planes
     * there.
     */
    static boolean byShifts(ConvGeom g) {
        int OHW = g.OH * g.OW;
        return g.SH == 1
                && g.SW == 1
                && g.OH == g.H
                && g.OW == g.W
                && OHW % L == 0
                && OHW > IM2COL_SMALL_PIXELS;
    }

    /**
     * Stride 1 with the output plane the input's size (3 × 3 with padding 1 at stride 1): tap t
     * reads output pixel p's input at p + (kh − PH)·W + (kw − PW) in the flattened plane, so a
     * vector of a tap's row is one unaligned load, with the lanes whose pixel lies in the padding
     * (they read a neighbouring row or plane) cleared. {@code keep[(t·V + v)·L + l]} is all ones
     * where lane l of vector v reads a pixel of the plane. At stride 2 the same holds in each tap's
     * phase plane ({@link ShiftCols}).
     */
    static final class Shifts {
        int[] keep = new int[0];
        int[] src = new int[0];

        /**
         * Tap t's offset in an image's source planes ({@link #tapOffset}): x's own planes at stride
         * 1, the phase planes (OH × OW each) at stride 2.
         */
        int[] taps = new int[0];

        private ConvGeom built;

        /**
         * This geometry's tables, rebuilt only when the geometry changes: the first layer's im2col
         * comes one image at a time, and rebuilding its sources (2,304 entries) every call made its
         * forward 1.75× slower.
         */
        Shifts set(ConvGeom g, Gemm.Scratch s) {
            if (g.sameButBatch(built)) return this;
            final int n = g.KH * g.KW * g.OH * g.OW;
            int[] sources = sources(g, s); // a scratch table that other packers reuse: copied
            if (keep.length < n) {
                keep = new int[n];
                src = new int[n];
            }
            System.arraycopy(sources, 0, src, 0, n);
            for (int i = 0; i < n; i++) keep[i] = src[i] < 0 ? 0 : -1;
            final int KK = g.KH * g.KW;
            final boolean phases = byPhaseShifts(g);
            if (taps.length < KK) taps = new int[KK];
            for (int t = 0; t < KK; t++)
                taps[t] =
                        tapOffset(g, t / g.KW, t % g.KW, phases ? g.OH : g.H, phases ? g.OW : g.W);
            built = g;
            return this;
        }
    }

    /**
     * Whether {@link #im2col} goes by phase planes and {@link ShiftCols}: the windows' geometries
     * at stride 2 both ways whose output planes are the input's halved (each phase plane is an
     * output plane).
     */
    static boolean byPhaseShifts(ConvGeom g) {
        return byWindows(g)
                && g.SH == 2
                && g.H % 2 == 0
                && g.W % 2 == 0
                && g.OH * 2 == g.H
                && g.OW * 2 == g.W;
    }

    /**
     * {@link #split} for {@link #byPhaseShifts}' geometries: each vector of a phase plane is two
     * half-vector windows of input rows, each one load permuted by the windows' every-second-lane
     * shuffle. A plane whose last loads would run past x goes element by element.
     */
    private static void splitByWindows(
            float[] dst, float[] x, ConvGeom g, int n0, int cnt, int cLo, int cHi, HalfWindows hw) {
        final int W = g.W, HW = g.H * W, Hs = g.OH, Ws = g.OW, OHW = Hs * Ws;
        final int half = Math.max(1, L / 2), V = OHW / L;
        final VectorShuffle<Float> fromLo = hw.fromLo, fromHi = hw.fromHi;
        int d = 0;
        for (int n = n0; n < n0 + cnt; n++) {
            for (int c = cLo; c < cHi; c++) {
                int xp = (n * g.C + c) * HW;
                boolean inside = xp + HW + L <= x.length; // the loads pass the plane by < L
                for (int ph = 0; ph < 2; ph++) {
                    for (int pw = 0; pw < 2; pw++, d += OHW) {
                        if (!inside) {
                            for (int i = 0; i < Hs; i++)
                                for (int j = 0; j < Ws; j++)
                                    dst[d + i * Ws + j] = x[xp + (2 * i + ph) * W + 2 * j + pw];
                            continue;
                        }
                        for (int u = 0, e = 0; u < V; u++, e += L) {
                            int f = e + half;
                            int a = xp + (2 * (e / Ws) + ph) * W + 2 * (e % Ws) + pw;
                            int b = xp + (2 * (f / Ws) + ph) * W + 2 * (f % Ws) + pw;
                            FloatVector.fromArray(F, x, a)
                                    .rearrange(fromLo)
                                    .blend(
                                            FloatVector.fromArray(F, x, b).rearrange(fromHi),
                                            HalfWindows.HIGH)
                                    .intoArray(dst, d + e);
                        }
                    }
                }
            }
        }
    }

    static boolean byWindows(ConvGeom g) {
        int half = Math.max(1, L / 2), OHW = g.OH * g.OW;
        return g.SW == 2
                && g.OW % half == 0
                && g.OW < 2 * L
                && OHW % L == 0
                && OHW > IM2COL_SMALL_PIXELS
                && g.H * g.W >= L;
    }

    /**
     * {@link #im2col} by {@link HalfWindows}: each vector of a tap's row is two loads from the
     * input plane, each permuted onto its half (one fixed permute per half), the padding lanes
     * cleared by a bitwise and. Per (channel, image) the plane is read by every tap while it is in
     * L1.
     */
    private static void im2colWindows(
            float[] dst,
            int ld,
            float[] x,
            ConvGeom g,
            int n0,
            int cnt,
            int cLo,
            int cHi,
            HalfWindows hw) {
        final int C = g.C, HW = g.H * g.W, OHW = g.OH * g.OW, KK = hw.taps, V = hw.V;
        final VectorShuffle<Float> fromLo = hw.fromLo, fromHi = hw.fromHi;
        final int[] lo = hw.lo, hi = hw.hi, keep = hw.keep;
        for (int c = cLo; c < cHi; c++) {
            int row0 = (c - cLo) * KK * ld;
            for (int n = 0; n < cnt; n++) {
                int plane = ((n0 + n) * C + c) * HW;
                for (int t = 0, k = 0; t < KK; t++) {
                    int d = row0 + t * ld + n * OHW;
                    for (int v = 0; v < V; v++, k++, d += L) {
                        if (lo[k] < 0) { // element by element, as the small-plane im2col
                            gatherRun(dst, d, x, hw.src, g, plane, t, v * L, L);
                            continue;
                        }
                        FloatVector a = FloatVector.fromArray(F, x, plane + lo[k]);
                        FloatVector b = FloatVector.fromArray(F, x, plane + hi[k]);
                        a.rearrange(fromLo)
                                .blend(b.rearrange(fromHi), HalfWindows.HIGH)
                                .reinterpretAsInts()
                                .and(IntVector.fromArray(HalfWindows.I, keep, k * L))
                                .reinterpretAsFloats()
                                .intoArray(dst, d);
                    }
                }
            }
        }
    }

    /**
     * The adjoint of {@link #im2colWindows}: each half of each vector of a tap's row is permuted
     * back onto its window of the dx plane and added there, zero on the lanes it does not reach. A
     * window never leaves its plane, so threads that split the images never touch each other's
     * planes.
     */
    private static void col2imWindows(
            float[] dx, float[] dcols, ConvGeom g, int n0, int cnt, int cols, HalfWindows hw) {
        final int C = g.C, HW = g.H * g.W, OHW = g.OH * g.OW, KK = hw.taps, V = hw.V;
        final VectorShuffle<Float> backLo = hw.backLo, backHi = hw.backHi;
        final int[] lo = hw.lo, hi = hw.hi, reachLo = hw.reachLo, reachHi = hw.reachHi;
        for (int n = 0; n < cnt; n++) {
            for (int c = 0; c < C; c++) {
                int plane = ((n0 + n) * C + c) * HW, row0 = c * KK * cols + n * OHW;
                for (int t = 0, k = 0; t < KK; t++) {
                    int d = row0 + t * cols;
                    for (int v = 0; v < V; v++, k++, d += L) {
                        if (lo[k] < 0) {
                            hw.scatter(dx, plane, dcols, d, k);
                            continue;
                        }
                        FloatVector r = FloatVector.fromArray(F, dcols, d);
                        int o = plane + lo[k];
                        FloatVector.fromArray(F, dx, o)
                                .add(masked(r.rearrange(backLo), reachLo, k))
                                .intoArray(dx, o);
                        o = plane + hi[k];
                        FloatVector.fromArray(F, dx, o)
                                .add(masked(r.rearrange(backHi), reachHi, k))
                                .intoArray(dx, o);
                    }
                }
            }
        }
    }

    /** {@code v} with the lanes cleared where {@code bits[k·L + lane]} is 0 (kept where −1). */
    private static FloatVector masked(FloatVector v, int[] bits, int k) {
        return v.reinterpretAsInts()
                .and(IntVector.fromArray(HalfWindows.I, bits, k * L))
                .reinterpretAsFloats();
    }

    /**
     * The windows of {@link #byWindows} for one geometry. A vector of a tap's im2col row holds two
     * half-vectors of output pixels, each within one output row, so each half reads one input row
     * at stride SW ≤ 2, input pixels that span at most a vector: the half is one load of a vector
     * from the plane, starting at its first pixel's input pixel, with the same permute for every
     * tap and row (lane e of the half takes window lane e·SW). The lanes in the padding are cleared
     * by a bitwise and with a per-(tap, vector) table, which needs no mask objects (on JDK 17 a
     * table of VectorMasks and VectorShuffles cost more than the run copies they replaced). The few
     * vectors whose window would leave the plane (at its first and last pixel) go element by
     * element. Replaces the stride-phase planes and the run copies with their edge zeroing (JFR:
     * 24% and 19% of the 16 × 16 → 8 × 8 forward pass). Built once per geometry and cached per
     * thread ({@link Gemm.Scratch#halfWindows}).
     */
    static final class HalfWindows {
        static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

        /** The upper half's lanes. */
        static final VectorMask<Float> HIGH = F.indexInRange(-half(), L - half());

        private final int H, W, SH, SW, PH, PW, KH, KW, OH, OW;

        /** Vectors per output plane, taps. */
        final int V, taps;

        /**
         * Per (tap t, vector v), at k = t·V + v: where each half's window starts in the plane; −1
         * in lo when the vector goes element by element.
         */
        final int[] lo, hi;

        /**
         * {@code keep[k·L + lane]}: −1 where the lane of vector k reads a pixel, 0 in the padding;
         * reachLo and reachHi: −1 on the window lanes that each half's pixels come from.
         */
        final int[] keep, reachLo, reachHi;

        /** Onto the halves' lanes from their windows, and back. */
        final VectorShuffle<Float> fromLo, fromHi, backLo, backHi;

        /**
         * {@code src[t·OH·OW + p]}: as {@link #sources}, for the vectors taken element by element.
         */
        final int[] src;

        private static int half() {
            return Math.max(1, L / 2);
        }

        HalfWindows(ConvGeom g, int[] sources) {
            H = g.H;
            W = g.W;
            SH = g.SH;
            SW = g.SW;
            PH = g.PH;
            PW = g.PW;
            KH = g.KH;
            KW = g.KW;
            OH = g.OH;
            OW = g.OW;
            V = OH * OW / L;
            taps = KH * KW;
            src = Arrays.copyOf(sources, taps * OH * OW);
            final int n = taps * V, half = half();
            int[] fl = new int[L], fh = new int[L], bl = new int[L], bh = new int[L];
            for (int e = 0; e < half; e++) {
                fl[e] = e * SW;
                bl[e * SW] = e;
                if (half + e < L) {
                    fh[half + e] = e * SW;
                    bh[e * SW] = half + e;
                }
            }
            fromLo = VectorShuffle.fromArray(F, fl, 0);
            fromHi = VectorShuffle.fromArray(F, fh, 0);
            backLo = VectorShuffle.fromArray(F, bl, 0);
            backHi = VectorShuffle.fromArray(F, bh, 0);
            lo = new int[n];
            hi = new int[n];
            keep = new int[n * L];
            reachLo = new int[n * L];
            reachHi = new int[n * L];
            for (int t = 0; t < taps; t++) {
                for (int v = 0; v < V; v++) {
                    int k = t * V + v;
                    lo[k] = window(t, v * L, half, k, reachLo);
                    hi[k] = window(t, v * L + half, L - half, k, reachHi);
                    if (lo[k] < 0 || hi[k] < 0) lo[k] = -1;
                }
            }
        }

        /**
         * The window of tap t for output pixels [first, first + lanes), one output row's stretch on
         * lanes first % L on: marks its lanes in keep and reach, returns the window's start, or −1
         * if it would leave the plane.
         */
        private int window(int t, int first, int lanes, int k, int[] reach) {
            final int kh = t / KW, kw = t % KW, oh = first / OW, ow0 = first % OW;
            final int ih = oh * SH + kh - PH, lane0 = first % L;
            if (ih < 0 || ih >= H) return 0; // the whole stretch reads padding
            final int start = ih * W + ow0 * SW + kw - PW;
            boolean any = false;
            for (int e = 0; e < lanes; e++) {
                int iw = (ow0 + e) * SW + kw - PW;
                if (iw < 0 || iw >= W) continue;
                any = true;
                keep[k * L + lane0 + e] = -1;
                reach[k * L + e * SW] = -1;
            }
            if (!any) return 0;
            return start < 0 || start + L > H * W ? -1 : start;
        }

        /**
         * Vector k of a tap's row added element by element onto the plane's pixels: the adjoint of
         * {@link #gatherRun} over that vector.
         */
        void scatter(float[] dx, int plane, float[] dcols, int d, int k) {
            final int t = k / V, p0 = (k % V) * L, OHW = OH * OW;
            for (int j = 0; j < L; j++) {
                int q = src[t * OHW + p0 + j];
                if (q >= 0) dx[plane + q] += dcols[d + j];
            }
        }

        /** Whether these are the windows of geometry g. */
        boolean matches(ConvGeom g) {
            return H == g.H
                    && W == g.W
                    && SH == g.SH
                    && SW == g.SW
                    && PH == g.PH
                    && PW == g.PW
                    && KH == g.KH
                    && KW == g.KW
                    && OH == g.OH
                    && OW == g.OW;
        }
    }

    /**
     * Whether {@link #im2colSmall} and {@link #col2imSmall} move an image's planes by lane permutes
     * ({@link PlaneTaps}): an input plane is at most four whole vectors, there are at most four
     * stride phases and each fits one vector, and an output plane is one vector (at 512 bits: 4 × 4
     * → 4 × 4 at stride 1, 8 × 8 → 4 × 4 at stride 2). NOTE: on output planes narrower than a
     * vector (4 × 4 → 2 × 2 at 512 bits) permutes were tried and measured ~10% slower than the
     * element-wise loops (ConvBench, all three kernels); the forward pass takes {@link SmallCols}
     * there.
     */
    static boolean byPermutes(ConvGeom g) {
        int HW = g.H * g.W, Hs = ceilDiv(g.H, g.SH), Ws = ceilDiv(g.W, g.SW);
        return HW % L == 0 && HW <= 4 * L && g.SH * g.SW <= 4 && Hs * Ws <= L && g.OH * g.OW == L;
    }

    /**
     * {@link #im2colSmall} by lane permutes: per (channel, image) the plane's vectors are loaded
     * once and sorted into its stride phases ({@link PlaneTaps#phases}); each tap's row is then one
     * permute of one phase, blended with zero in the padding.
     */
    private static void im2colPermutes(
            float[] dst,
            int ld,
            float[] x,
            ConvGeom g,
            int n0,
            int cnt,
            int cLo,
            int cHi,
            PlaneTaps pt,
            float[] lanes) {
        final int C = g.C, HW = g.H * g.W, KK = pt.taps;
        final FloatVector zero = FloatVector.zero(F);
        for (int c = cLo; c < cHi; c++) {
            int row0 = (c - cLo) * KK * ld;
            for (int n = 0; n < cnt; n++) {
                int plane = ((n0 + n) * C + c) * HW, d = row0 + n * L;
                // one phase that is the plane itself: the taps permute x's vector directly
                float[] from = pt.direct ? x : lanes;
                if (!pt.direct) pt.phases(x, plane, lanes);
                for (int t = 0; t < KK; t++, d += ld) {
                    int o = pt.direct ? plane : pt.phase[t] * L;
                    FloatVector v = FloatVector.fromArray(F, from, o).rearrange(pt.shuffle[t]);
                    zero.blend(v, pt.valid[t]).intoArray(dst, d);
                }
            }
        }
    }

    /**
     * {@link #col2imSmall} by lane permutes, the adjoint of {@link #im2colPermutes}: per (channel,
     * image) the dx plane is sorted into phases, each tap's row is permuted back onto the phase
     * pixels it reaches and added there, and the phases are written back. Every pixel gets its taps
     * added in tap order, as the element-wise loop adds them, so the sums are the same.
     */
    private static void col2imPermutes(
            float[] dx,
            float[] dcols,
            ConvGeom g,
            int n0,
            int cnt,
            int cols,
            PlaneTaps pt,
            float[] lanes) {
        final int C = g.C, HW = g.H * g.W, KK = pt.taps;
        for (int c = 0; c < C; c++) {
            int row0 = c * KK * cols;
            for (int n = 0; n < cnt; n++) {
                int plane = ((n0 + n) * C + c) * HW, d = row0 + n * L;
                float[] acc = pt.direct ? dx : lanes;
                if (!pt.direct) pt.phases(dx, plane, lanes);
                for (int t = 0; t < KK; t++, d += cols) {
                    int o = pt.direct ? plane : pt.phase[t] * L;
                    FloatVector a = FloatVector.fromArray(F, acc, o),
                            row = FloatVector.fromArray(F, dcols, d);
                    a.blend(a.add(row.rearrange(pt.inverse[t])), pt.hit[t]).intoArray(acc, o);
                }
                if (!pt.direct) pt.unphase(lanes, dx, plane);
            }
        }
    }

    /**
     * The lane permutes of {@link #byPermutes} for one geometry. A plane's pixels are sorted into
     * stride phases: phase m = ph·SW + pw holds the pixels (i·SH + ph, j·SW + pw), one vector per
     * phase. A tap reads pixels of one phase only, so its row is that phase's vector permuted, with
     * the padding lanes zeroed; its adjoint permutes a row back onto the phase lanes it reaches.
     * Built once per geometry and cached per thread ({@link Gemm.Scratch#planeTaps}).
     *
     * <p>Which lane of its phase a pixel takes is free, and is chosen so that sorting costs one
     * permute per input vector: the pixels of one input vector get distinct lanes, and so do the
     * pixels of one phase ({@link #lanes}). Each input vector is then permuted once, every pixel
     * onto its lane, and a phase is these sorted vectors blended by which lanes hold its pixels: on
     * 8 × 8 at stride 2, 4 permutes and 12 blends per plane, where a permute per (phase, vector)
     * took 16 and 16.
     */
    static final class PlaneTaps {
        private final int[] src;
        private final int H, W, SH, SW;

        /** Output pixels and taps per plane. */
        final int OHW, taps;

        /** Vectors per input plane (at most 4), phases (at most 4). */
        final int V, M;

        /** The plane is one vector and its one phase: phases and taps read it in place. */
        final boolean direct;

        /** Per input vector: the permute that puts every pixel on its lane, and its inverse. */
        private final VectorShuffle<Float>[] sort, unsort;

        /**
         * {@code part[v·4 + m]}: the lanes of input vector v, sorted, that hold pixels of phase m;
         * no lanes past V or M.
         */
        private final VectorMask<Float>[] part;

        /** Per tap: its phase, the permute onto its row and back, its valid and reached lanes. */
        final int[] phase;

        final VectorShuffle<Float>[] shuffle, inverse;
        final VectorMask<Float>[] valid, hit;

        @SuppressWarnings("unchecked")
        PlaneTaps(ConvGeom g, int[] sources) {
            H = g.H;
            W = g.W;
            SH = g.SH;
            SW = g.SW;
            OHW = g.OH * g.OW;
            taps = g.KH * g.KW;
            src = Arrays.copyOf(sources, taps * OHW);
            V = H * W / L;
            M = SH * SW;
            final int Ws = ceilDiv(W, SW), HW = H * W;
            // each pixel's phase, and its lane there: (i, j)'s place in the phase's row-major
            // order where that lane is still free, another one where not
            int[] phaseOf = new int[HW], natural = new int[HW];
            for (int q = 0; q < HW; q++) {
                int ih = q / W, iw = q % W;
                phaseOf[q] = (ih % SH) * SW + iw % SW;
                natural[q] = (ih / SH) * Ws + iw / SW;
            }
            int[] laneOf = lanes(phaseOf, M, natural);
            sort = new VectorShuffle[V];
            unsort = new VectorShuffle[V];
            part = new VectorMask[16];
            boolean identity = V == 1 && M == 1;
            for (int v = 0; v < 4; v++) {
                boolean[][] parts = new boolean[4][L];
                if (v < V) {
                    int[] in = new int[L], out = new int[L];
                    for (int e = 0; e < L; e++) {
                        int q = v * L + e;
                        in[laneOf[q]] = e;
                        out[e] = laneOf[q];
                        parts[phaseOf[q]][laneOf[q]] = true;
                        identity &= laneOf[q] == e;
                    }
                    sort[v] = VectorShuffle.fromArray(F, in, 0);
                    unsort[v] = VectorShuffle.fromArray(F, out, 0);
                }
                for (int m = 0; m < 4; m++) part[v * 4 + m] = VectorMask.fromArray(F, parts[m], 0);
            }
            direct = identity;
            phase = new int[taps];
            shuffle = new VectorShuffle[taps];
            inverse = new VectorShuffle[taps];
            valid = new VectorMask[taps];
            hit = new VectorMask[taps];
            for (int t = 0; t < taps; t++) {
                int[] lanes = new int[L], backLanes = new int[L];
                boolean[] in = new boolean[L], reached = new boolean[L];
                int ph = -1;
                for (int p = 0; p < OHW; p++) {
                    int q = src[t * OHW + p];
                    if (q < 0) continue;
                    if (ph >= 0 && ph != phaseOf[q])
                        throw new IllegalStateException("tap " + t + " reads two phases");
                    ph = phaseOf[q];
                    lanes[p] = laneOf[q];
                    in[p] = true;
                    backLanes[laneOf[q]] = p;
                    reached[laneOf[q]] = true;
                }
                phase[t] = Math.max(ph, 0); // a tap wholly in the padding reads no lane
                shuffle[t] = VectorShuffle.fromArray(F, lanes, 0);
                valid[t] = VectorMask.fromArray(F, in, 0);
                inverse[t] = VectorShuffle.fromArray(F, backLanes, 0);
                hit[t] = VectorMask.fromArray(F, reached, 0);
            }
        }

        /**
         * A lane for every pixel q such that no two pixels of one input vector (q / L, the plane
         * being whole vectors) and no two of one phase ({@code phaseOf[q]}) share one: a proper
         * colouring, with L colours, of the edges of the bipartite graph vectors × phases (one edge
         * per pixel). Neither side has more than L edges at a vertex, so such a colouring exists
         * (König); each edge takes its {@code preferred} lane if free at both ends, else a lane
         * free at both ends, else one made free by swapping two lanes along an alternating path.
         */
        static int[] lanes(int[] phaseOf, int M, int[] preferred) {
            int n = phaseOf.length, V = n / L;
            int[] lane = new int[n];
            int[][] atV = new int[V][L], atM = new int[M][L]; // the pixel on a lane, or -1
            for (int[] r : atV) Arrays.fill(r, -1);
            for (int[] r : atM) Arrays.fill(r, -1);
            for (int q = 0; q < n; q++) {
                int[] u = atV[q / L], w = atM[phaseOf[q]];
                int c = preferred[q];
                if (u[c] >= 0 || w[c] >= 0) c = freeAtBoth(u, w);
                if (c < 0) {
                    // a is free at q's vector but taken at its phase, b the other way round: swap
                    // a and b along the path from the phase that alternates a, b, a, ... (it
                    // cannot reach q's vector, which has no a), so a comes free at the phase
                    int a = free(u), b = free(w);
                    int[] path = new int[n];
                    int len = 0, node = phaseOf[q], col = a;
                    boolean atPhase = true;
                    while (true) {
                        int e = atPhase ? atM[node][col] : atV[node][col];
                        if (e < 0) break;
                        path[len++] = e;
                        node = atPhase ? e / L : phaseOf[e];
                        atPhase = !atPhase;
                        col = col == a ? b : a;
                    }
                    for (int i = 0; i < len; i++) {
                        int e = path[i];
                        atV[e / L][lane[e]] = -1;
                        atM[phaseOf[e]][lane[e]] = -1;
                    }
                    for (int i = 0; i < len; i++) {
                        int e = path[i];
                        lane[e] = lane[e] == a ? b : a;
                        atV[e / L][lane[e]] = e;
                        atM[phaseOf[e]][lane[e]] = e;
                    }
                    c = a;
                }
                lane[q] = c;
                u[c] = q;
                w[c] = q;
            }
            return lane;
        }

        private static int free(int[] at) {
            for (int c = 0; c < at.length; c++) if (at[c] < 0) return c;
            throw new IllegalStateException("more than " + at.length + " pixels on one side");
        }

        private static int freeAtBoth(int[] u, int[] w) {
            for (int c = 0; c < u.length; c++) if (u[c] < 0 && w[c] < 0) return c;
            return -1;
        }

        /** Whether these are the permutes of geometry g, whose {@link #sources} are given. */
        boolean matches(ConvGeom g, int[] sources) {
            int n = g.KH * g.KW * g.OH * g.OW;
            return H == g.H
                    && W == g.W
                    && SH == g.SH
                    && SW == g.SW
                    && OHW == g.OH * g.OW
                    && src.length == n
                    && Arrays.equals(src, 0, n, sources, 0, n);
        }

        /**
         * {@code dst[m·L ..]} = phase m of the plane at {@code x[off ..]}, for m < M; lanes that
         * hold no pixel of the phase are left unspecified (no tap reads them).
         */
        void phases(float[] x, int off, float[] dst) {
            FloatVector r0 = sorted(x, off, 0), r1 = sorted(x, off, 1);
            FloatVector r2 = sorted(x, off, 2), r3 = sorted(x, off, 3);
            for (int m = 0; m < M; m++) {
                r0.blend(r1, part[4 + m])
                        .blend(r2, part[8 + m])
                        .blend(r3, part[12 + m])
                        .intoArray(dst, m * L);
            }
        }

        /** Input vector v (the last one past V) with its pixels on their lanes. */
        private FloatVector sorted(float[] x, int off, int v) {
            int u = Math.min(v, V - 1);
            return FloatVector.fromArray(F, x, off + u * L).rearrange(sort[u]);
        }

        /** The inverse of {@link #phases}: the plane at {@code x[off ..]} from the phases in ph. */
        void unphase(float[] ph, float[] x, int off) {
            FloatVector p0 = FloatVector.fromArray(F, ph, 0);
            FloatVector p1 = FloatVector.fromArray(F, ph, Math.min(1, M - 1) * L);
            FloatVector p2 = FloatVector.fromArray(F, ph, Math.min(2, M - 1) * L);
            FloatVector p3 = FloatVector.fromArray(F, ph, Math.min(3, M - 1) * L);
            for (int v = 0; v < V; v++) {
                p0.blend(p1, part[v * 4 + 1])
                        .blend(p2, part[v * 4 + 2])
                        .blend(p3, part[v * 4 + 3])
                        .rearrange(unsort[v])
                        .intoArray(x, off + v * L);
            }
        }
    }

    /**
     * Output pixels per image below which {@link #col2im} scatters element by element instead
     * ({@link #col2imSmall}): on small planes the runs are shorter than a vector, and at stride 2
     * clearing and merging the phase planes cost more than the adds they vectorise (ConvBench
     * backwardInput, 4×4 → 2×2 at stride 2: 34.7 → 42.0 ms; 8×8 planes and up gained: the decoder's
     * 128 → 64 transposed convolution forward 97 → 79 ms).
     */
    static final int COL2IM_MIN_PIXELS = 64;

    /**
     * The adjoint of {@link #im2col} over all channels: {@code dx[n, c, ih, iw] += dcols[(c, kh,
     * kw), (n − n0, oh, ow)]} over every valid tap, as runs of vector adds into the source planes
     * (phase planes at stride 2 and more, then added into dx). Overwrites the entries of dcols that
     * belong to padding pixels (their gradients are dropped anyway) with zeros.
     */
    static void col2im(
            float[] dx, float[] dcols, ConvGeom g, int n0, int cnt, int cols, Gemm.Scratch s) {
        final int C = g.C, KH = g.KH, KW = g.KW, OH = g.OH, OW = g.OW, OHW = OH * OW;
        final int SH = g.SH, SW = g.SW, Hs = ceilDiv(g.H, SH), Ws = ceilDiv(g.W, SW);
        final int P = SH * SW * Hs * Ws;
        if (OHW < COL2IM_MIN_PIXELS) {
            col2imSmall(dx, dcols, g, n0, cnt, cols, s);
            return;
        }
        if (byWindows(g)) {
            col2imWindows(dx, dcols, g, n0, cnt, cols, s.halfWindows(g));
            return;
        }
        final boolean strided = SH * SW > 1;
        final float[] dst = strided ? s.temp3(cnt * C * P) : dx;
        if (strided) Arrays.fill(dst, 0, cnt * C * P, 0f);
        for (int n = 0; n < cnt; n++) {
            for (int c = 0; c < C; c++) {
                int plane = strided ? (n * C + c) * P : ((n0 + n) * C + c) * P;
                for (int kh = 0; kh < KH; kh++) {
                    int dh = shift(kh, g.PH, SH), ohLo = first(dh, OH), ohHi = last(dh, Hs, OH);
                    for (int kw = 0; kw < KW; kw++) {
                        int dw = shift(kw, g.PW, SW), tap = tapOffset(g, kh, kw, Hs, Ws);
                        int row = ((c * KH + kh) * KW + kw) * cols + n * OHW;
                        addTap(
                                dst,
                                plane + tap,
                                dcols,
                                row,
                                Ws,
                                OW,
                                ohLo,
                                ohHi,
                                first(dw, OW),
                                last(dw, Ws, OW));
                    }
                }
            }
        }
        if (strided) merge(dx, dst, g, n0, cnt, Hs, Ws);
    }

    /**
     * {@code src[t·OH·OW + p]}: the input pixel (ih·W + iw) that tap t = kh·KW + kw reads for
     * output pixel p, or −1 in the padding; computed once per call (into scratch table 0) so the
     * small-plane loops do no bounds arithmetic.
     */
    static int[] sources(ConvGeom g, Gemm.Scratch s) {
        final int OHW = g.OH * g.OW;
        int[] src = s.ints(0, g.KH * g.KW * OHW);
        for (int kh = 0; kh < g.KH; kh++) {
            for (int kw = 0; kw < g.KW; kw++) {
                int tb = (kh * g.KW + kw) * OHW;
                for (int oh = 0; oh < g.OH; oh++) {
                    int ih = oh * g.SH + kh - g.PH;
                    for (int ow = 0; ow < g.OW; ow++) {
                        int iw = ow * g.SW + kw - g.PW;
                        boolean in = ih >= 0 && ih < g.H && iw >= 0 && iw < g.W;
                        src[tb + oh * g.OW + ow] = in ? ih * g.W + iw : -1;
                    }
                }
            }
        }
        return src;
    }

    /**
     * {@link #col2im} for small output planes, element by element over each tap's {@link #sources}
     * (the plain-Java col2im computes each tap's valid range per image and channel, divisions
     * included, which on 4 × 4 planes cost more than the adds).
     */
    static void col2imSmall(
            float[] dx, float[] dcols, ConvGeom g, int n0, int cnt, int cols, Gemm.Scratch s) {
        final int C = g.C, HW = g.H * g.W, OHW = g.OH * g.OW, KK = g.KH * g.KW;
        int[] src = sources(g, s);
        if (byPermutes(g)) {
            col2imPermutes(dx, dcols, g, n0, cnt, cols, s.planeTaps(g, src), s.lanes);
            return;
        }
        for (int c = 0; c < C; c++) {
            for (int t = 0; t < KK; t++) {
                int row = (c * KK + t) * cols, tb = t * OHW;
                for (int n = 0; n < cnt; n++) {
                    int d = row + n * OHW, plane = ((n0 + n) * C + c) * HW;
                    for (int p = 0; p < OHW; p++) {
                        int q = src[tb + p];
                        if (q >= 0) dx[plane + q] += dcols[d + p];
                    }
                }
            }
        }
    }

    /**
     * {@code dst[k·rows + r] = src[r·K + k]}: a row-major (rows, K) matrix transposed, in 64 × 64
     * blocks so that the strided side stays in cache, eight rows at a time: each k then reads eight
     * streams and writes eight adjacent floats. Element by element within 16 × 16 blocks it took
     * 2.4–2.6 ms for the decoder's 512 × 4,096 weights (a fifth of that layer's transposed
     * forward), 0.89 this way; 2–3× faster at every size measured (64 × 2,048 to 512 × 4,096).
     */
    static void transpose(float[] dst, float[] src, int rows, int K) {
        transpose(dst, 0, rows, src, 0, K, rows, K);
    }

    /**
     * {@code dst[dstOff + k·ldd + r] = src[srcOff + r·lds + k]} for r < rows, k < K: {@link
     * #transpose} of a matrix within a wider one, into a matrix within a wider one.
     */
    static void transpose(
            float[] dst, int dstOff, int ldd, float[] src, int srcOff, int lds, int rows, int K) {
        final int B = 64;
        for (int r0 = 0; r0 < rows; r0 += B) {
            int r1 = Math.min(rows, r0 + B);
            for (int k0 = 0; k0 < K; k0 += B) {
                int k1 = Math.min(K, k0 + B), r = r0;
                for (; r + 8 <= r1; r += 8) {
                    int s0 = srcOff + r * lds, s1 = s0 + lds, s2 = s1 + lds, s3 = s2 + lds;
                    int s4 = s3 + lds, s5 = s4 + lds, s6 = s5 + lds, s7 = s6 + lds;
                    for (int k = k0; k < k1; k++) {
                        int d = dstOff + k * ldd + r;
                        dst[d] = src[s0 + k];
                        dst[d + 1] = src[s1 + k];
                        dst[d + 2] = src[s2 + k];
                        dst[d + 3] = src[s3 + k];
                        dst[d + 4] = src[s4 + k];
                        dst[d + 5] = src[s5 + k];
                        dst[d + 6] = src[s6 + k];
                        dst[d + 7] = src[s7 + k];
                    }
                }
                for (; r < r1; r++)
                    for (int k = k0; k < k1; k++)
                        dst[dstOff + k * ldd + r] = src[srcOff + r * lds + k];
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** How far tap k reads from the output position in its source plane: floor((k − P) / S). */
    private static int shift(int k, int P, int S) {
        return Math.floorDiv(k - P, S);
    }

    /**
     * Where tap (kh, kw) reads in an image's source planes: its phase plane ((kh − PH) mod SH, (kw
     * − PW) mod SW) of Hs×Ws, moved by its shifts. Output (oh, ow) reads offset + oh·Ws + ow.
     */
    private static int tapOffset(ConvGeom g, int kh, int kw, int Hs, int Ws) {
        int ph = Math.floorMod(kh - g.PH, g.SH), pw = Math.floorMod(kw - g.PW, g.SW);
        return (ph * g.SW + pw) * Hs * Ws + shift(kh, g.PH, g.SH) * Ws + shift(kw, g.PW, g.SW);
    }

    /** The first output index o whose source index o + d is ≥ 0 (at most {@code out}). */
    private static int first(int d, int out) {
        return Math.min(out, Math.max(0, -d));
    }

    /**
     * One past the last output index o < out whose source index o + d is < size; never below {@link
     * #first}.
     */
    private static int last(int d, int size, int out) {
        return Math.max(first(d, out), Math.min(out, size - d));
    }

    /**
     * One tap row: {@code dst[row + oh·OW + ow] = src[base + oh·Ws + ow]} for oh in [ohLo, ohHi),
     * ow in [owLo, owHi), zero elsewhere in the OH×OW block.
     */
    private static void copyTap(
            float[] dst,
            int row,
            float[] src,
            int base,
            int Ws,
            int OH,
            int OW,
            int ohLo,
            int ohHi,
            int owLo,
            int owHi) {
        if (owHi == owLo) ohHi = ohLo; // no valid column: every row is padding
        zero(dst, row, row + ohLo * OW);
        if (Ws == OW && ohHi > ohLo) {
            // rows as wide as the source's: the window is one run of src from its first valid
            // pixel to its last, so one copy, then zero the edge pixels it brought in from
            // neighbouring rows
            int a = ohLo * OW + owLo, b = (ohHi - 1) * OW + owHi;
            System.arraycopy(src, base + a, dst, row + a, b - a);
            if (owLo > 0 || owHi < OW) {
                for (int d = row + ohLo * OW, e = row + ohHi * OW; d < e; d += OW) {
                    zero(dst, d, d + owLo);
                    zero(dst, d + owHi, d + OW);
                }
            }
        } else {
            for (int oh = ohLo; oh < ohHi; oh++) {
                int d = row + oh * OW;
                zero(dst, d, d + owLo);
                System.arraycopy(src, base + oh * Ws + owLo, dst, d + owLo, owHi - owLo);
                zero(dst, d + owHi, d + OW);
            }
        }
        zero(dst, row + ohHi * OW, row + OH * OW);
    }

    /**
     * The adjoint of {@link #copyTap}: {@code dst[base + oh·Ws + ow] += cols[row + oh·OW + ow]}
     * over the valid window; zeroes the window's edge entries of cols when it adds it as one run.
     */
    private static void addTap(
            float[] dst,
            int base,
            float[] cols,
            int row,
            int Ws,
            int OW,
            int ohLo,
            int ohHi,
            int owLo,
            int owHi) {
        if (ohHi <= ohLo || owHi <= owLo) return;
        if (Ws == OW) {
            // the mirror of copyTap's single run: zero the edge entries that would land on
            // neighbouring rows, then add the run from the first valid pixel to the last
            if (owLo > 0 || owHi < OW) {
                for (int d = row + ohLo * OW, e = row + ohHi * OW; d < e; d += OW) {
                    zero(cols, d, d + owLo);
                    zero(cols, d + owHi, d + OW);
                }
            }
            int a = ohLo * OW + owLo, b = (ohHi - 1) * OW + owHi;
            SimdConvKernels.add(dst, base + a, cols, row + a, b - a);
        } else {
            for (int oh = ohLo; oh < ohHi; oh++)
                SimdConvKernels.add(
                        dst, base + oh * Ws + owLo, cols, row + oh * OW + owLo, owHi - owLo);
        }
    }

    /** {@code a[from..to) = 0}. NOTE: the runs are a few floats long; a loop beats Arrays.fill. */
    private static void zero(float[] a, int from, int to) {
        for (int i = from; i < to; i++) a[i] = 0f;
    }

    /**
     * Splits the planes of images [n0, n0 + cnt), channels [cLo, cHi) into SH·SW phase planes of
     * Hs×Ws each: plane (ph, pw) holds pixels (i·SH + ph, j·SW + pw), zero past the image's edge.
     */
    private static void split(
            float[] dst, float[] x, ConvGeom g, int n0, int cnt, int cLo, int cHi, int Hs, int Ws) {
        final int H = g.H, W = g.W, SH = g.SH, SW = g.SW;
        int d = 0;
        for (int n = n0; n < n0 + cnt; n++) {
            for (int c = cLo; c < cHi; c++) {
                int xp = (n * g.C + c) * H * W;
                for (int ph = 0; ph < SH; ph++) {
                    for (int pw = 0; pw < SW; pw++) {
                        int valid = (W - pw + SW - 1) / SW; // columns j with j·SW + pw < W
                        for (int i = 0; i < Hs; i++, d += Ws) {
                            int ih = i * SH + ph, j = 0;
                            if (ih < H) {
                                for (int xr = xp + ih * W + pw; j < valid; j++)
                                    dst[d + j] = x[xr + j * SW];
                            }
                            zero(dst, d + j, d + Ws);
                        }
                    }
                }
            }
        }
    }

    /** The adjoint of {@link #split}: adds phase planes back into dx, dropping padding pixels. */
    private static void merge(
            float[] dx, float[] src, ConvGeom g, int n0, int cnt, int Hs, int Ws) {
        final int H = g.H, W = g.W, SH = g.SH, SW = g.SW;
        int d = 0;
        for (int n = n0; n < n0 + cnt; n++) {
            for (int c = 0; c < g.C; c++) {
                int xp = (n * g.C + c) * H * W;
                for (int ph = 0; ph < SH; ph++) {
                    for (int pw = 0; pw < SW; pw++) {
                        int valid = (W - pw + SW - 1) / SW;
                        for (int i = 0; i < Hs; i++, d += Ws) {
                            int ih = i * SH + ph;
                            if (ih >= H) continue;
                            for (int j = 0, xr = xp + ih * W + pw; j < valid; j++)
                                dx[xr + j * SW] += src[d + j];
                        }
                    }
                }
            }
        }
    }

    /**
     * The im2col matrix of small output planes, never materialised: GEMM packs its panels straight
     * from x through the {@link #sources} table. {@code B(k = (c, t), j = (n, p)) = x[n0 + n, c,
     * src[t·OHW + p]]} or 0 in the padding.
     */
    static final class SmallCols implements Gemm.BPack {
        private float[] x;
        private int[] src;
        private ConvGeom g;
        private int n0;

        /**
         * Gather tables of the geometry {@code built}, for a vector of columns whose first is
         * output pixel ph of its image: {@code index[(t·OHW + ph)·L + l]}, lane l's offset from
         * that image's plane (the images after it one C·H·W apart, 0 in the padding), and {@code
         * keep[...]}, all ones where the lane reads a pixel, zero in the padding.
         */
        private int[] index = new int[0], keep = new int[0];

        private ConvGeom built;

        SmallCols set(float[] x, ConvGeom g, int n0, Gemm.Scratch s) {
            this.x = x;
            this.src = sources(g, s);
            this.g = g;
            this.n0 = n0;
            if (!g.sameButBatch(built)) build(g);
            return this;
        }

        private void build(ConvGeom g) {
            final int OHW = g.OH * g.OW, KK = g.KH * g.KW, image = g.C * g.H * g.W;
            int n = KK * OHW * L;
            if (index.length < n) {
                index = new int[n];
                keep = new int[n];
            }
            for (int t = 0; t < KK; t++)
                for (int ph = 0; ph < OHW; ph++)
                    for (int l = 0, i = (t * OHW + ph) * L; l < L; l++, i++) {
                        int q = src[t * OHW + (ph + l) % OHW];
                        index[i] = (ph + l) / OHW * image + Math.max(q, 0);
                        keep[i] = q < 0 ? 0 : -1;
                    }
            built = g;
        }

        /**
         * Whole vectors of a row by gathers through the tables (JFR: the element-by-element loop
         * was 4.5% of a one-thread inference step, on the 4 × 4 → 2 × 2 layer), the rest element by
         * element.
         */
        @Override
        public void pack(float[] dst, int off, int k0, int kc, int j0, int nr) {
            final int KK = g.KH * g.KW, HW = g.H * g.W, OHW = g.OH * g.OW;
            final int image = g.C * HW, full = nr / L * L;
            for (int kk = 0; kk < kc; kk++) {
                int k = k0 + kk, c = k / KK, t = k % KK, d = off + kk * NR;
                int plane0 = (n0 * g.C + c) * HW;
                for (int jj = 0; jj < full; jj += L) {
                    int j = j0 + jj, i = (t * OHW + j % OHW) * L;
                    FloatVector.fromArray(F, x, plane0 + j / OHW * image, index, i)
                            .reinterpretAsInts()
                            .and(IntVector.fromArray(HalfWindows.I, keep, i))
                            .reinterpretAsFloats()
                            .intoArray(dst, d + jj);
                }
                if (full < nr) gatherRun(dst, d + full, x, src, g, plane0, t, j0 + full, nr - full);
                if (nr < NR) Arrays.fill(dst, d + nr, d + NR, 0f);
            }
        }
    }

    /**
     * Whether the forward's im2col panels can be packed straight from shifted source planes ({@link
     * ShiftCols}): the geometries {@link #im2col} takes by {@link #byShifts} or {@link
     * #byPhaseShifts}.
     */
    static boolean byShiftCols(ConvGeom g) {
        return byShifts(g) || byPhaseShifts(g);
    }

    /**
     * The im2col rows of {@link #byShiftCols}' geometries by {@link Shifts}: each vector is one
     * load of a source plane at the tap's offset ({@link #tapOffset}), its padding lanes cleared by
     * an int {@code and}; vectors whose load would leave the source go element by element from x.
     * The source planes are x's own at stride 1 and, at stride 2, the chunk's phase planes, each
     * plane split once ({@link #splitByWindows}) so that every tap reads a shifted stride-1 window
     * of one of them. (The windows alone permute every tap's vectors, 9 per plane vector for 3 × 3,
     * and were a third of the 16 × 16 → 8 × 8 forward in JFR; the split permutes each pixel once.)
     *
     * <p>The forward's GEMM packs its panels from here ({@link #pack}, {@link #packBlock}), so its
     * im2col matrix is never materialised: writing the matrix and then packing it copied every
     * element twice more, through a buffer that, with the packed block beside it, overflowed L2.
     * The weight gradient reads the matrix in place, and gets it whole from {@link #rows}. {@code
     * B(k = (c − cLo, t), j = (n, p))} as {@link #im2col}'s for images n0 + n, channels [cLo, cHi).
     */
    static final class ShiftCols implements Gemm.BPack {
        private float[] src, x;
        private int base, nStride, cStride, n0, cLo, cHi, cnt, KK, OHW;
        private ConvGeom g;
        private Shifts sh;

        /**
         * The columns of images [n0, n0 + cnt), channels [cLo, cHi); splits their phase planes at
         * stride 2.
         */
        ShiftCols set(float[] x, ConvGeom g, int n0, int cnt, int cLo, int cHi, Gemm.Scratch s) {
            this.x = x;
            this.g = g;
            this.n0 = n0;
            this.cnt = cnt;
            this.cLo = cLo;
            this.cHi = cHi;
            KK = g.KH * g.KW;
            OHW = g.OH * g.OW;
            sh = s.shifts.set(g, s);
            if (byPhaseShifts(g)) {
                final int P = 4 * OHW, nc = cHi - cLo;
                src = s.temp3(cnt * nc * P);
                splitByWindows(src, x, g, n0, cnt, cLo, cHi, s.halfWindows(g));
                base = 0;
                nStride = nc * P;
                cStride = P;
            } else { // stride 1: x's own planes (H·W = OH·OW)
                src = x;
                base = (n0 * g.C + cLo) * OHW;
                nStride = g.C * OHW;
                cStride = OHW;
            }
            return this;
        }

        /** The whole (cHi − cLo)·KK × cnt·OH·OW matrix into dst, rows ld apart. */
        void rows(float[] dst, int ld) {
            for (int c = cLo; c < cHi; c++)
                for (int t = 0; t < KK; t++)
                    row(dst, ((c - cLo) * KK + t) * ld, c, t, 0, cnt * OHW, Integer.MAX_VALUE, 0);
        }

        @Override
        public void pack(float[] dst, int off, int k0, int kc, int j0, int nr) {
            for (int kk = 0, k = k0; kk < kc; kk++, k++) {
                int d = off + kk * NR;
                row(dst, d, cLo + k / KK, k % KK, j0, nr, Integer.MAX_VALUE, 0);
                if (nr < NR) Arrays.fill(dst, d + nr, d + NR, 0f);
            }
        }

        /**
         * Row by row across the block's panels in one walk, each row's tap looked up once: per
         * panel, a call that found its image and pixel by division cost more than its three
         * vectors' loads and stores.
         */
        @Override
        public void packBlock(float[] dst, int k0, int kc, int j0, int nc) {
            final int perPanel = NR / L, skip = NR * kc - NR, rest = nc % NR;
            for (int kk = 0, c = cLo + k0 / KK, t = k0 % KK; kk < kc; kk++) {
                int d = row(dst, kk * NR, c, t, j0, nc, perPanel, skip);
                // the last panel's rest, a vector or two: stored, cheaper than Arrays.fill's call
                for (int j = rest; j > 0 && j < NR; j += L, d += L)
                    FloatVector.zero(F).intoArray(dst, d);
                if (++t == KK) {
                    t = 0;
                    c++;
                }
            }
        }

        /**
         * Columns [j, j + len) of row (c, t) into dst from d on, j and len whole vectors: after
         * every {@code run} vectors the destination skips {@code skip} floats (to the same row of
         * the next panel). Returns where the next vector would go.
         */
        private int row(float[] dst, int d, int c, int t, int j, int len, int run, int skip) {
            final int[] keep = sh.keep;
            int n = j / OHW, p = j - n * OHW, w = 0;
            int from = base + (c - cLo) * cStride + sh.taps[t] + n * nStride + p;
            for (int e = 0; e < len; e += L) {
                if (from < 0 || from > src.length - L) {
                    int plane = ((n0 + n) * g.C + c) * g.H * g.W;
                    gatherRun(dst, d, x, sh.src, g, plane, t, p, L);
                } else {
                    FloatVector.fromArray(F, src, from)
                            .reinterpretAsInts()
                            .and(IntVector.fromArray(HalfWindows.I, keep, t * OHW + p))
                            .reinterpretAsFloats()
                            .intoArray(dst, d);
                }
                from += L;
                if ((p += L) == OHW) {
                    p = 0;
                    n++;
                    from += nStride - OHW;
                }
                d += L;
                if (++w == run) {
                    w = 0;
                    d += skip;
                }
            }
            return d;
        }
    }

    /**
     * An (N, rows, P) tensor seen as a (rows, N·P) matrix: {@code B(k, j = (n, p)) = t[((n0 +
     * n)·rows + k)·P + p]}. The output gradient dOut (N, OC, OH·OW) as (OC, N·OH·OW), for input
     * gradients.
     */
    static final class OutRows implements Gemm.BPack {
        float[] t;
        int rows, P, n0;

        OutRows set(float[] t, int rows, int P, int n0) {
            this.t = t;
            this.rows = rows;
            this.P = P;
            this.n0 = n0;
            return this;
        }

        @Override
        public void pack(float[] dst, int off, int k0, int kc, int j0, int nr) {
            for (int kk = 0; kk < kc; kk++) {
                int d = off + kk * NR, k = k0 + kk;
                int jj = 0;
                while (jj < nr) {
                    int j = j0 + jj, n = j / P, p = j % P, run = Math.min(nr - jj, P - p);
                    System.arraycopy(t, ((n0 + n) * rows + k) * P + p, dst, d + jj, run);
                    jj += run;
                }
                if (nr < NR) Arrays.fill(dst, d + nr, d + NR, 0f);
            }
        }
    }

    /**
     * col2im fused into the input gradient's product: each finished tile of dcols (rows (c, tap),
     * columns (image, output pixel)) is added into dx through the tap's {@link #sources}, so dcols
     * is never written out (on 4 × 4 → 2 × 2 it is 64 KiB per image and left L2 between the product
     * and a separate col2im pass). Used where an image's columns never straddle two column panels
     * (NR a multiple of OH·OW): then every dx element receives its terms from one panel, rows in
     * order and within a row columns in order (the order of {@link #col2imSmall}), wherever its
     * image falls in a chunk, so the sums do not depend on how the images are split.
     */
    static final class Col2imSink implements Gemm.TileSink {
        private float[] dx;
        private int[] target;
        private int C, HW, OHW, KK, n0;

        /** Whether {@code g}'s input gradient can take this sink rather than dcols + col2im. */
        static boolean applies(ConvGeom g) {
            int OHW = g.OH * g.OW;
            return OHW < COL2IM_MIN_PIXELS
                    && NR % OHW == 0
                    && g.OC <= Gemm.KC_SINK
                    && !byPermutes(g);
        }

        /**
         * Uses scratch table 1 for the targets: {@code target[t·NR + j]}, for tap t and column j of
         * a panel (which starts at an image), is the offset in dx of the pixel that column reads
         * through the tap, from the panel's first image's plane of the row's channel, or −1.
         */
        Col2imSink set(float[] dx, ConvGeom g, Gemm.Scratch s) {
            this.dx = dx;
            this.C = g.C;
            this.HW = g.H * g.W;
            this.OHW = g.OH * g.OW;
            this.KK = g.KH * g.KW;
            int[] src = sources(g, s);
            target = s.ints(1, KK * NR);
            for (int t = 0; t < KK; t++)
                for (int j = 0; j < NR; j++) {
                    int q = src[t * OHW + j % OHW];
                    target[t * NR + j] = q < 0 ? -1 : j / OHW * C * HW + q;
                }
            return this;
        }

        /** The product's columns start at image n0. */
        Col2imSink from(int n0) {
            this.n0 = n0;
            return this;
        }

        @Override
        public void add(float[] tile, int row0, int col0, int mr, int nr) {
            addThrough(dx, (n0 + col0 / OHW) * C * HW, KK, HW, target, tile, row0, mr, nr);
        }
    }

    /**
     * The input gradient of {@link #byPhaseShifts}' geometries, the adjoint of {@link ShiftCols}:
     * GEMM hands each tile of dcols (rows (c, t), columns (n, p)) here, and each vector of a row is
     * added, its padding lanes cleared by the same {@code and} as the forward's, onto its tap's
     * phase plane at the tap's shift: one load, and, add and store per vector, where the
     * half-vector windows ({@link #col2imWindows}) permuted every vector of every tap twice and
     * added it in two halves. {@link #merge} then interleaves the four phase planes into dx once
     * per pixel. The (K, cols) dcols matrix (442 KB per chunk on the 16 × 16 → 8 × 8 layer) is
     * never written.
     */
    static final class PhaseSink implements Gemm.TileSink {
        /** Longs in a whole vector. */
        private static final VectorSpecies<Long> LONGS =
                VectorSpecies.of(long.class, F.vectorShape());

        private ConvGeom g;
        private float[] ph;
        private int[] keep, taps;
        private int cnt, slack;

        /**
         * The geometries it takes: phase planes, input rows of whole vectors (each merged vector is
         * one row's), and at most {@link Gemm#KC_SINK} output channels (one k-block per tile).
         */
        static boolean applies(ConvGeom g) {
            return byPhaseShifts(g) && g.W % L == 0 && g.OC <= Gemm.KC_SINK;
        }

        /**
         * Zeroed phase planes for a chunk of cnt images, with room before and after for shifted
         * vectors that leave them (their lanes there are cleared, so they add zero).
         */
        PhaseSink set(ConvGeom g, int cnt, Gemm.Scratch s) {
            Shifts sh = s.shifts.set(g, s);
            keep = sh.keep;
            taps = sh.taps;
            this.g = g;
            this.cnt = cnt;
            slack = 2 * g.OW + 4 * L; // past the widest shift (OW + 1) and a merge's loads
            int n = cnt * g.C * 4 * g.OH * g.OW + 2 * slack;
            ph = s.temp3(n);
            Arrays.fill(ph, 0, n, 0f);
            return this;
        }

        /** Column j of the product is image j / OH·OW of the chunk, pixel j % OH·OW. */
        @Override
        public void add(float[] tile, int row0, int col0, int mr, int nr) {
            final int C = g.C, KK = g.KH * g.KW, OHW = g.OH * g.OW, P = 4 * OHW;
            final int n0 = col0 / OHW, p0 = col0 - n0 * OHW;
            for (int i = 0; i < mr; i++) {
                int r = row0 + i, c = r / KK, t = r - c * KK, p = p0;
                int to = slack + (n0 * C + c) * P + taps[t] + p;
                for (int j = i * Gemm.NR, end = j + nr; j < end; j += L) {
                    FloatVector v =
                            FloatVector.fromArray(F, tile, j)
                                    .reinterpretAsInts()
                                    .and(IntVector.fromArray(HalfWindows.I, keep, t * OHW + p))
                                    .reinterpretAsFloats();
                    FloatVector.fromArray(F, ph, to).add(v).intoArray(ph, to);
                    to += L;
                    if ((p += L) == OHW) {
                        p = 0;
                        to += C * P - OHW;
                    }
                }
            }
        }

        /**
         * Adds the chunk's phase planes into dx for images [n0, n0 + cnt): input row 2i + a is
         * phase planes (a, 0) and (a, 1) at row i, interleaved; each vector of it is half a vector
         * of each, widened to long lanes and zipped (the first's floats in the low words, the
         * second's in the high ones). Two permutes and a blend per vector took 11% longer over the
         * whole input gradient on JDK 17.
         */
        void merge(float[] dx, int n0) {
            final int C = g.C, H = g.H, W = g.W, Ws = g.OW, OHW = g.OH * Ws, P = 4 * OHW;
            for (int n = 0; n < cnt; n++)
                for (int c = 0; c < C; c++) {
                    int xp = ((n0 + n) * C + c) * H * W, q = slack + (n * C + c) * P;
                    for (int row = 0; row < H; row++) {
                        int even = q + (row & 1) * 2 * OHW + (row >> 1) * Ws, d = xp + row * W;
                        for (int e = 0; e < W; e += L, d += L) {
                            int a = even + e / 2;
                            LongVector lo = widen(ph, a), hi = widen(ph, a + OHW);
                            FloatVector v =
                                    lo.and(0xFFFFFFFFL)
                                            .or(hi.lanewise(VectorOperators.LSHL, 32))
                                            .reinterpretAsFloats();
                            FloatVector.fromArray(F, dx, d).add(v).intoArray(dx, d);
                        }
                    }
                }
        }

        /**
         * L / 2 floats from {@code a[i]} on, each in the low word of a long lane (its sign above):
         * a whole vector loaded, its first half widened. Loading half a vector took a float species
         * of another shape, and on JDK 17 that alone made C2 fail to intrinsify vector stores in
         * unrelated kernels in some runs (the shared JDK methods' type profiles saw two shapes):
         * the Adam update ran 10x slower in about a third of the JVMs, boxing a vector per
         * iteration.
         */
        private static LongVector widen(float[] a, int i) {
            return (LongVector)
                    FloatVector.fromArray(F, a, i)
                            .reinterpretAsInts()
                            .convertShape(VectorOperators.I2L, LONGS, 0);
        }
    }

    /**
     * A sink's tile added through its table: row r = row0 + i goes into {@code out} from {@code
     * first + (r / period)·stride}, its column j at offset {@code target[(r % period)·NR + j]}, or
     * nowhere where that is below 0. The tile's rows in order, each row's columns in order.
     */
    static void addThrough(
            float[] out,
            int first,
            int period,
            int stride,
            int[] target,
            float[] tile,
            int row0,
            int mr,
            int nr) {
        for (int i = 0; i < mr; i++) {
            int r = row0 + i, base = first + r / period * stride, tb = r % period * NR, ti = i * NR;
            for (int j = 0; j < nr; j++) {
                int d = target[tb + j];
                if (d >= 0) out[base + d] += tile[ti + j];
            }
        }
    }

    /**
     * The transpose of {@link OutRows} from channel c0 on: {@code B(r = (n, p), j) = t[((n0 +
     * n)·rows + c0 + j)·P + p]}. dOut seen as (N·OH·OW, OC), for weight gradients.
     */
    static final class OutCols implements Gemm.BPack, Gemm.WidePack {
        float[] t;
        int rows, P, n0, c0;

        OutCols set(float[] t, int rows, int P, int n0, int c0) {
            this.t = t;
            this.rows = rows;
            this.P = P;
            this.n0 = n0;
            this.c0 = c0;
            return this;
        }

        @Override
        public void pack(float[] dst, int off, int r0, int kc, int j0, int nr) {
            gather(dst, off, NR, r0, kc, j0, nr);
        }

        @Override
        public void packWide(float[] dst, int off, int r0, int kc, int j0) {
            gather(dst, off, Gemm.NR4, r0, kc, j0, Gemm.NR4);
        }

        /** Rows [r0, r0 + kc), columns [j0, j0 + nr) into panel rows {@code width} apart. */
        private void gather(float[] dst, int off, int width, int r0, int kc, int j0, int nr) {
            for (int kk = 0; kk < kc; kk++) {
                int r = r0 + kk, n = n0 + r / P, p = r % P, d = off + kk * width;
                int src = (n * rows + c0 + j0) * P + p;
                for (int jj = 0; jj < nr; jj++) dst[d + jj] = t[src + jj * P];
                if (nr < width) Arrays.fill(dst, d + nr, d + width, 0f);
            }
        }
    }
}
