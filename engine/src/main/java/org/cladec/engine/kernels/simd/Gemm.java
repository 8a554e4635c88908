package org.cladec.engine.kernels.simd;

import static org.cladec.engine.kernels.simd.Simd.F;
import static org.cladec.engine.kernels.simd.Simd.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import org.cladec.engine.kernels.ConvGeom;

/**
 * The register-blocked GEMM core every SIMD kernel shares: {@code C (=|+=) A · B} with C (M, N)
 * row-major (leading dimension ldc), A (M, K) read in place through a row stride and a column
 * stride (so a row-major matrix, its transpose or a pre-packed panel are all just strides), and B
 * (K, N) packed panel by panel by a {@link BPack} that knows where B's elements really live (a
 * matrix, its transpose, or the im2col view of an image batch that is never materialised).
 *
 * <p>Blocking follows GotoBLAS/BLIS: for each block of NC columns and KC rows of B, pack B into
 * NR-wide panels (the block stays in L2); then for each panel (it stays in L1) sweep the MR-row
 * strips of an MC-row block of A (in L2) with the MR×NR micro-kernel. The micro-kernel keeps its C
 * tile in vector registers, loads NR / L vectors of B and broadcasts one A value per row per k: 8 ×
 * 3 vectors with AVX-512's 32 registers (24 FMAs per 11 loads), 6 × 2 with AVX2's 16. Partial tiles
 * at the right and bottom edges go through a small tile buffer, so the caller never pads. {@link
 * #gemmToSink} hands each finished tile to a {@link TileSink} instead of storing it into C (the
 * input gradient's fused col2im).
 */
final class Gemm {
    /**
     * 512-bit vectors mean AVX-512 and its 32 vector registers, room for the 8 × 3 tile; narrower
     * species get the 6 × 2 tile, which fits AVX2's 16.
     */
    static final boolean WIDE = L >= 16;

    static final int MR = WIDE ? 8 : 6, NR = (WIDE ? 3 : 2) * L;

    /**
     * Block sizes: k-blocks of 256 (a kc × NR micro-panel of B takes 8 KiB at 128 bits, 16 at AVX2,
     * 48 at AVX-512), an MC × KC block of A and a KC × NC block of B stay in L2. At AVX-512 the
     * k-block used to be 128, so that the micro-panel (24 KiB) stayed in L1; 256 halves the passes
     * over C (each adds the tile into C from L2, {@link #addTile}), and the kernel's three loads
     * per 24 FMAs keep up from L2: full steps 3–15% faster in alternated runs.
     */
    static final int KC = 256, MC = 32 * MR;

    static final int NC = Math.max(NR, 384 / NR * NR);

    /** The wide tile's rows and panel width (AVX-512 only): {@link #gemmWide}. */
    static final int MR4 = 6, NR4 = 4 * L;

    /**
     * The deepest product {@link #gemmToSink} takes in one k-block, so that every tile is final
     * after one kernel call: a 512 × NR micro-panel of B (96 KiB at AVX-512) streams from L2, as
     * {@link #KC}'s does.
     */
    static final int KC_SINK = 2 * KC;

    /**
     * Takes each finished tile of a product instead of storing it into a C matrix: the input
     * gradient scatters its tiles straight into dx (col2im), so the (K, cols) matrix is never
     * written and read back.
     */
    interface TileSink {
        /**
         * Receives {@code C[row0 + i][col0 + j] = tile[i·NR + j]} for i < mr, j < nr. Tiles arrive
         * in row order within each column panel of NR, and panels left to right.
         */
        void add(float[] tile, int row0, int col0, int mr, int nr);
    }

    /**
     * Packs {@code B[k0 + kk][j0 + jj]} for kk < kc, jj < nr into {@code dst[off + kk·NR + jj]},
     * zero for jj ≥ nr.
     */
    interface BPack {
        void pack(float[] dst, int off, int k0, int kc, int j0, int nr);

        /**
         * Packs the kc × nc block at (k0, j0): panel jp (of NR columns, the last one narrower) at
         * {@code dst[jp·kc ..]}. Panel by panel unless a packer has a better order.
         */
        default void packBlock(float[] dst, int k0, int kc, int j0, int nc) {
            for (int jp = 0; jp < nc; jp += NR)
                pack(dst, jp * kc, k0, kc, j0 + jp, Math.min(NR, nc - jp));
        }
    }

    /**
     * B packed once, block by block as {@link #gemm} takes them, so that products with the same B
     * skip the packing: {@code gemm} reads its blocks where they lie. Block (k0, j0) holds {@code
     * kc × ncr} floats at {@code j0·K + k0·ncr}, where ncr is the block's width rounded up to whole
     * panels; the whole takes {@code K × N} rounded up to whole panels.
     */
    static final class Packed implements BPack {
        float[] data = new float[0];
        int K, N;

        /** Packs the K × N matrix that {@code src} describes. */
        Packed fill(BPack src, int K, int N, Scratch s) {
            this.K = K;
            this.N = N;
            int size = K * panels(N);
            if (data.length < size) data = new float[size];
            for (int j0 = 0; j0 < N; j0 += NC) {
                int nc = Math.min(NC, N - j0);
                for (int k0 = 0; k0 < K; k0 += KC) {
                    int kc = Math.min(KC, K - k0);
                    src.packBlock(s.packB, k0, kc, j0, nc);
                    System.arraycopy(s.packB, 0, data, offset(k0, j0), kc * panels(nc));
                }
            }
            return this;
        }

        /** n rounded up to whole panels of NR. */
        private static int panels(int n) {
            return (n + NR - 1) / NR * NR;
        }

        /** Where block (k0, j0) starts, k0 a multiple of KC and j0 of NC. */
        int offset(int k0, int j0) {
            return j0 * K + k0 * panels(Math.min(NC, N - j0));
        }

        /** Copies from the blocks, for a caller that packs its own (k-blocks other than KC). */
        @Override
        public void pack(float[] dst, int off, int k0, int kc, int j0, int nr) {
            for (int kk = 0; kk < kc; kk++) {
                int k = k0 + kk, kb = k / KC * KC, kcb = Math.min(KC, K - kb), d = off + kk * NR;
                for (int jj = 0; jj < nr; ) { // runs within one stored panel
                    int j = j0 + jj, jb = j / NC * NC, in = (j - jb) % NR;
                    int run = Math.min(nr - jj, NR - in);
                    int src = offset(kb, jb) + (j - jb - in) * kcb + (k - kb) * NR + in;
                    System.arraycopy(data, src, dst, d + jj, run);
                    jj += run;
                }
                if (nr < NR) Arrays.fill(dst, d + nr, d + NR, 0f);
            }
        }
    }

    /** Per-thread buffers; grown once, then reused. */
    static final class Scratch {
        float[] packB = new float[KC * NC];
        final float[] packA = new float[MC * KC];

        final RowMajor rowMajor = new RowMajor();
        final Transposed transposed = new Transposed();
        final ConvPacks.OutCols outCols = new ConvPacks.OutCols();
        final ConvPacks.OutRows outRows = new ConvPacks.OutRows();
        final ConvPacks.SmallCols smallCols = new ConvPacks.SmallCols();
        final ConvPacks.ShiftCols shiftCols = new ConvPacks.ShiftCols();
        final ConvPacks.Shifts shifts = new ConvPacks.Shifts();
        final ConvPacks.Col2imSink col2im = new ConvPacks.Col2imSink();
        final ConvPacks.PhaseSink phaseSink = new ConvPacks.PhaseSink();
        final DenseConv.Packer dense = new DenseConv.Packer();
        final DenseConv.WeightSink denseWeights = new DenseConv.WeightSink();
        final PixelProducts.Rows pixelRows = new PixelProducts.Rows();
        final float[] tile = new float[Math.max(MR * NR, MR4 * NR4)], sum = new float[MR * NR];
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

        private final ConvPacks.PlaneTaps[] planeTaps = new ConvPacks.PlaneTaps[8];
        private int planeTapsNext;

        /** The lane-permute im2col's phases of one plane: up to four vectors. */
        final float[] lanes = new float[4 * L];

        /**
         * The lane permutes of geometry g (whose {@link ConvPacks#sources} are given), from a cache
         * of the last eight geometries: the classifier and the decoder have five such layers, and
         * each is built once, not once per call.
         */
        ConvPacks.PlaneTaps planeTaps(ConvGeom g, int[] sources) {
            for (ConvPacks.PlaneTaps p : planeTaps)
                if (p != null && p.matches(g, sources)) return p;
            ConvPacks.PlaneTaps p = new ConvPacks.PlaneTaps(g, sources);
            planeTaps[planeTapsNext] = p;
            planeTapsNext = (planeTapsNext + 1) % planeTaps.length;
            return p;
        }

        private final ConvPacks.HalfWindows[] halfWindows = new ConvPacks.HalfWindows[8];
        private int halfWindowsNext;

        /** The windows of geometry g, from a cache of the last eight geometries. */
        ConvPacks.HalfWindows halfWindows(ConvGeom g) {
            for (ConvPacks.HalfWindows w : halfWindows) if (w != null && w.matches(g)) return w;
            ConvPacks.HalfWindows w = new ConvPacks.HalfWindows(g, ConvPacks.sources(g, this));
            halfWindows[halfWindowsNext] = w;
            halfWindowsNext = (halfWindowsNext + 1) % halfWindows.length;
            return w;
        }

        /**
         * The kept forms of frozen weights ({@link KeptWeights}): the dense form's Dᵀ and D of the
         * classifier's two 2 × 2 layers and the pixel products' arrangements of its 4 × 4 and 8 × 8
         * layers, forward and, frozen, backward; a thread may run a layer as a part (the pool) and
         * whole (a serial run). Past {@link #KEPT_FLOATS} the others are let go.
         */
        private final KeptWeights[] kept = new KeptWeights[16];

        private int keptNext;

        /** At most 64 MB of kept forms per thread. */
        static final long KEPT_FLOATS = 1L << 24;

        /**
         * The kept form of kind {@code kind} of w's part [lo, hi) in geometry g (rows: output
         * channels), made by {@code make} at first; the caller asks it for its current form.
         */
        <K extends KeptWeights> K kept(
                float[] w,
                ConvGeom g,
                int lo,
                int hi,
                boolean rows,
                Class<K> kind,
                java.util.function.Supplier<K> make) {
            for (KeptWeights k : kept)
                if (kind.isInstance(k) && k.holds(w, g, lo, hi, rows)) return kind.cast(k);
            int i = keptNext;
            keptNext = (keptNext + 1) % kept.length;
            if (!kind.isInstance(kept[i])) {
                if (kept[i] != null) kept[i].release();
                kept[i] = make.get();
            }
            long need = kept[i].reset(w, g, lo, hi, rows).floats();
            for (int j = 1; j < kept.length; j++) {
                long held = need;
                for (KeptWeights k : kept) if (k != null && k != kept[i]) held += k.size();
                if (held <= KEPT_FLOATS) break;
                KeptWeights other = kept[(i + j) % kept.length];
                if (other != null) other.release();
            }
            return kind.cast(kept[i]);
        }

        private final int[][] ints = {new int[0], new int[0]};

        /** Index tables for the convolution packers, {@code i} < 2. */
        int[] ints(int i, int n) {
            if (ints[i].length < n) ints[i] = new int[n];
            return ints[i];
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
        if (empty(c, cOff, ldc, M, N, K, accumulate)) return;
        if (aks == 1 && b instanceof WidePack w && wide(N))
            wide(c, cOff, ldc, a, aOff, ars, w, M, N, K, accumulate, s);
        else run(c, cOff, ldc, null, a, aOff, ars, aks, b, M, N, K, KC, MC, accumulate, s);
    }

    /**
     * Whether the product has nothing to compute (M or N is 0, or K is and C is zeroed unless
     * accumulated into).
     */
    private static boolean empty(
            float[] c, int cOff, int ldc, int M, int N, int K, boolean accumulate) {
        if (M <= 0 || N <= 0) return true;
        if (K > 0) return false;
        if (!accumulate)
            for (int i = 0; i < M; i++) Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + N, 0f);
        return true;
    }

    /**
     * {@link #gemm} in a single k-block when K ≤ {@link #KC_SINK}, so that C, accumulated into, is
     * read and written once rather than once per k-block of {@link #KC}: the direct weight gradient
     * adds into a dw as large as 8 MB (the decoder's 512 → 256 layer), where the second pass over
     * it was 7% of the kernel. The rows of A's block shrink as in {@link #gemmToSink}.
     */
    static void gemmOnePass(
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
        if (K <= KC || K > KC_SINK || M <= 0 || N <= 0) {
            gemm(c, cOff, ldc, a, aOff, ars, aks, b, M, N, K, accumulate, s);
            return;
        }
        run(c, cOff, ldc, null, a, aOff, ars, aks, b, M, N, K, K, oneBlock(K, s), accumulate, s);
    }

    /**
     * {@code C = A · B} (A as in {@link #gemm}) handed to {@code sink} tile by tile, in one k-block
     * (K ≤ {@link #KC_SINK}), so each tile holds its final sums. The rows of A's block shrink as
     * the block deepens, to keep it in L2.
     */
    static void gemmToSink(
            TileSink sink,
            float[] a,
            int aOff,
            int ars,
            int aks,
            BPack b,
            int M,
            int N,
            int K,
            Scratch s) {
        if (K > KC_SINK) throw new IllegalArgumentException("gemmToSink: K " + K + " > " + KC_SINK);
        if (M <= 0 || N <= 0 || K <= 0) return;
        run(null, 0, 0, sink, a, aOff, ars, aks, b, M, N, K, K, oneBlock(K, s), false, s);
    }

    /**
     * For a product in one k-block of depth K ≤ {@link #KC_SINK}: grows B's packing buffer to hold
     * it (once) and returns the rows of A's block, fewer as the block deepens so that it stays in
     * L2.
     */
    private static int oneBlock(int K, Scratch s) {
        if (s.packB.length < K * NC) s.packB = new float[KC_SINK * NC];
        return Math.max(MR, Math.min(MC, MC * KC / K / MR * MR));
    }

    /** Packs B for {@link #gemmWide}: whole panels of {@link #NR4} columns. */
    interface WidePack {
        /** {@code dst[off + kk·NR4 + jj] = B[k0 + kk][j0 + jj]} for kk < kc, jj < NR4. */
        void packWide(float[] dst, int off, int k0, int kc, int j0);
    }

    /** Whether {@link #gemmWide} takes N columns: AVX-512 and whole panels of {@link #NR4}. */
    static boolean wide(int N) {
        return WIDE && N % NR4 == 0;
    }

    /**
     * {@code C (=|+=) A · B} as {@link #gemm} with A's rows read in place (unit column stride), by
     * the 6 × 4-vector tile, for N a multiple of {@link #NR4} ({@link #wide}). {@link #gemm} takes
     * this path itself for a B that packs wide panels; for N = 64 (a weight gradient's 64 output
     * channels) its 8 × 3 tile would take a 48-column panel and a 16-column one at two thirds of
     * its rate, while here every tile is whole. Same k-blocks as {@link #gemm}, so the same floats.
     */
    static void gemmWide(
            float[] c,
            int cOff,
            int ldc,
            float[] a,
            int aOff,
            int ars,
            WidePack b,
            int M,
            int N,
            int K,
            boolean accumulate,
            Scratch s) {
        if (!wide(N)) throw new IllegalArgumentException("gemmWide: N " + N);
        if (!empty(c, cOff, ldc, M, N, K, accumulate))
            wide(c, cOff, ldc, a, aOff, ars, b, M, N, K, accumulate, s);
    }

    /**
     * The loops of {@link #gemmWide}: per k-block, B's kc × N block is packed once (it stays in L2)
     * and each strip of A (in L1) meets all its panels. A 256 × 64 micro-panel (64 KiB) streams
     * from L2: 222 GFLOP/s at M = 288, N = 64, K = 2048, where k-blocks of 128 and 192 (the panel
     * in L1) gave 213–216.
     */
    private static void wide(
            float[] c,
            int cOff,
            int ldc,
            float[] a,
            int aOff,
            int ars,
            WidePack b,
            int M,
            int N,
            int K,
            boolean accumulate,
            Scratch s) {
        if (s.packB.length < KC * N) s.packB = new float[KC * N];
        float[] pb = s.packB, tile = s.tile;
        for (int k0 = 0; k0 < K; k0 += KC) {
            int kc = Math.min(KC, K - k0);
            boolean acc = accumulate || k0 > 0;
            for (int j0 = 0; j0 < N; j0 += NR4) b.packWide(pb, j0 * kc, k0, kc, j0);
            for (int i0 = 0; i0 < M; i0 += MR4) {
                int mr = Math.min(MR4, M - i0), ao = aOff + i0 * ars + k0;
                for (int j0 = 0; j0 < N; j0 += NR4) {
                    int co = cOff + i0 * ldc + j0;
                    if (!acc && mr == MR4) {
                        kernel6x4(a, ao, ars, mr, pb, j0 * kc, kc, c, co, ldc);
                    } else {
                        kernel6x4(a, ao, ars, mr, pb, j0 * kc, kc, tile, 0, NR4);
                        putTile(tile, NR4, c, co, ldc, mr, NR4, acc);
                    }
                }
            }
        }
    }

    /** The blocked loops of {@link #gemm}, into C or, with a sink, into the sink. */
    private static void run(
            float[] c,
            int cOff,
            int ldc,
            TileSink sink,
            float[] a,
            int aOff,
            int ars,
            int aks,
            BPack b,
            int M,
            int N,
            int K,
            int KCb,
            int MCb,
            boolean accumulate,
            Scratch s) {
        float[] packB = s.packB, packA = s.packA;
        boolean inPlace = aks == 1;
        for (int j0 = 0; j0 < N; j0 += NC) {
            int nc = Math.min(NC, N - j0);
            for (int k0 = 0; k0 < K; k0 += KCb) {
                int kc = Math.min(KCb, K - k0);
                boolean acc = accumulate || k0 > 0;
                float[] pb = packB;
                int pbOff = 0;
                if (b instanceof Packed p && KCb == KC) { // packed before, as this loop takes it
                    pb = p.data;
                    pbOff = p.offset(k0, j0);
                } else {
                    b.packBlock(packB, k0, kc, j0, nc);
                }
                for (int ic = 0; ic < M; ic += MCb) {
                    int mc = Math.min(MCb, M - ic);
                    // Rows of A (unit column stride) are read in place, MR sequential streams. A
                    // column-strided A (a transpose) would touch a new cache line per k step, so
                    // its MC×kc block is packed first, k-major per MR-row strip; packed rows past
                    // M repeat the last one.
                    if (!inPlace && ars == 1)
                        packColumns(packA, a, aOff + ic + k0 * aks, aks, mc, kc);
                    else if (!inPlace)
                        for (int i0 = 0; i0 < mc; i0 += MR)
                            packA(
                                    packA,
                                    i0 * kc,
                                    a,
                                    aOff + (ic + i0) * ars + k0 * aks,
                                    ars,
                                    aks,
                                    Math.min(MR, mc - i0),
                                    kc);
                    // One B micro-panel (kc × NR, sized to stay in L1) meets every strip of A.
                    for (int jp = 0; jp < nc; jp += NR) {
                        int nr = Math.min(NR, nc - jp);
                        for (int i0 = 0; i0 < mc; i0 += MR) {
                            int mr = Math.min(MR, mc - i0);
                            int cBase = cOff + (ic + i0) * ldc + j0 + jp;
                            float[] pa = inPlace ? a : packA;
                            int paOff = inPlace ? aOff + (ic + i0) * ars + k0 : i0 * kc;
                            int pars = inPlace ? ars : 1, paks = inPlace ? 1 : MR;
                            if (sink != null) {
                                tile(
                                        pa,
                                        paOff,
                                        pars,
                                        paks,
                                        inPlace ? mr : MR,
                                        nr,
                                        pb,
                                        pbOff + jp * kc,
                                        kc,
                                        s.tile);
                                sink.add(s.tile, ic + i0, j0 + jp, mr, nr);
                            } else if (mr == MR && nr == NR) {
                                kernel(
                                        pa,
                                        paOff,
                                        pars,
                                        paks,
                                        MR,
                                        pb,
                                        pbOff + jp * kc,
                                        kc,
                                        c,
                                        cBase,
                                        ldc,
                                        acc,
                                        s.sum);
                            } else {
                                edge(
                                        pa,
                                        paOff,
                                        pars,
                                        paks,
                                        inPlace ? mr : MR,
                                        nr,
                                        mr,
                                        pb,
                                        pbOff + jp * kc,
                                        kc,
                                        c,
                                        cBase,
                                        ldc,
                                        acc,
                                        s.tile);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * {@link #packA} for a whole mc × kc block of a transpose read by columns (ars = 1: the input
     * gradient's wᵀ): column k's mc entries are contiguous, so the block is copied a column at a
     * time, MR floats per strip. Strip by strip, the same columns' cache lines (K floats apart, so
     * all in a few cache sets) would be fetched once per strip and evicted in between.
     */
    private static void packColumns(float[] dst, float[] a, int aOff, int aks, int mc, int kc) {
        int full = mc / MR * MR;
        for (int k = 0; k < kc; k++) {
            int src = aOff + k * aks;
            for (int i0 = 0; i0 < full; i0 += MR)
                System.arraycopy(a, src + i0, dst, i0 * kc + k * MR, MR);
        }
        if (full < mc) packA(dst, full * kc, a, aOff + full, 1, aks, mc - full, kc);
    }

    /**
     * {@code dst[k·MR + r] = A(r, k)} for k < kc, r < MR, with rows at or past mr repeating row mr
     * − 1.
     */
    private static void packA(
            float[] dst, int dOff, float[] a, int aOff, int ars, int aks, int mr, int kc) {
        for (int r = 0; r < MR; r++) {
            int src = aOff + Math.min(r, mr - 1) * ars;
            for (int k = 0; k < kc; k++) dst[dOff + k * MR + r] = a[src + k * aks];
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
        tile(a, aOff, ars, aks, kmr, nr, b, bOff, kc, tile);
        putTile(tile, NR, c, cOff, ldc, mr, nr, acc);
    }

    /**
     * Stores (or, with acc, adds) the mr × nr corner of a tile whose rows are {@code ts} apart into
     * C. The adds go a vector at a time: as a plain loop, which C2 cannot prove free of aliasing,
     * the wide tile's weight gradient ran ~10% slower.
     */
    private static void putTile(
            float[] tile, int ts, float[] c, int cOff, int ldc, int mr, int nr, boolean acc) {
        for (int i = 0; i < mr; i++) {
            int ci = cOff + i * ldc, ti = i * ts;
            if (!acc) {
                System.arraycopy(tile, ti, c, ci, nr);
                continue;
            }
            int j = 0;
            for (int bound = F.loopBound(nr); j < bound; j += L)
                FloatVector.fromArray(F, tile, ti + j)
                        .add(FloatVector.fromArray(F, c, ci + j))
                        .intoArray(c, ci + j);
            for (; j < nr; j++) c[ci + j] += tile[ti + j];
        }
    }

    /** A whole MR × NR tile into {@code tile} (row stride NR), of which nr columns are needed. */
    private static void tile(
            float[] a,
            int aOff,
            int ars,
            int aks,
            int kmr,
            int nr,
            float[] b,
            int bOff,
            int kc,
            float[] tile) {
        // a panel one or two vectors wide (N past a multiple of NR) takes a narrower tile rather
        // than computing all three vectors and dropping the rest
        if (WIDE && nr <= L) kernel8x1(a, aOff, ars, aks, kmr, b, bOff, kc, tile);
        else if (WIDE && nr <= 2 * L) kernel8x2(a, aOff, ars, aks, kmr, b, bOff, kc, tile);
        else kernel(a, aOff, ars, aks, kmr, b, bOff, kc, tile, 0, NR, false, null);
    }

    /**
     * The MR×NR micro-kernel over kc steps. Rows at or beyond {@code mr} re-read row mr − 1 (never
     * out of bounds) and their results are discarded by the caller; with mr < MR the caller passes
     * a tile buffer as C. {@code sum} is an MR·NR scratch tile.
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
            boolean acc,
            float[] sum) {
        if (!WIDE) {
            kernel6x2(a, aOff, ars, aks, mr, b, bOff, kc, c, cOff, ldc, acc);
        } else if (!acc) {
            kernel8x3(a, aOff, ars, aks, mr, b, bOff, kc, c, cOff, ldc);
        } else {
            kernel8x3(a, aOff, ars, aks, mr, b, bOff, kc, sum, 0, NR);
            addTile(sum, c, cOff, ldc);
        }
    }

    /**
     * The 8 × 3-vector tile for 32 vector registers (AVX-512): 24 accumulators, 24 FMAs per 3 loads
     * of B and 8 broadcasts of A. Overwrites C; {@link #kernel} adds through a scratch tile.
     *
     * <p>NOTE: this is the smallest form of the kernel, on purpose. At this tile size C2 is close
     * to its node budget, and larger forms ran 10–50× slower in some JVM runs and not others
     * (vector operations left un-intrinsified, accumulators boxed): adding C after the loop
     * ("NodeCountInliningCutoff" on the stores), and loading the accumulators from C before it
     * ("VectorSupport::store failed to inline" in about one run in five).
     */
    private static void kernel8x3(
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
            int ldc) {
        int r1 = Math.min(1, mr - 1) * ars,
                r2 = Math.min(2, mr - 1) * ars,
                r3 = Math.min(3, mr - 1) * ars,
                r4 = Math.min(4, mr - 1) * ars,
                r5 = Math.min(5, mr - 1) * ars,
                r6 = Math.min(6, mr - 1) * ars,
                r7 = Math.min(7, mr - 1) * ars;
        int o0 = cOff,
                o1 = cOff + ldc,
                o2 = cOff + 2 * ldc,
                o3 = cOff + 3 * ldc,
                o4 = cOff + 4 * ldc,
                o5 = cOff + 5 * ldc,
                o6 = cOff + 6 * ldc,
                o7 = cOff + 7 * ldc;
        FloatVector zero = FloatVector.zero(F);
        FloatVector c00 = zero, c01 = zero, c02 = zero;
        FloatVector c10 = zero, c11 = zero, c12 = zero;
        FloatVector c20 = zero, c21 = zero, c22 = zero;
        FloatVector c30 = zero, c31 = zero, c32 = zero;
        FloatVector c40 = zero, c41 = zero, c42 = zero;
        FloatVector c50 = zero, c51 = zero, c52 = zero;
        FloatVector c60 = zero, c61 = zero, c62 = zero;
        FloatVector c70 = zero, c71 = zero, c72 = zero;
        int ao = aOff, bo = bOff;
        for (int k = 0; k < kc; k++, ao += aks, bo += NR) {
            FloatVector b0 = FloatVector.fromArray(F, b, bo),
                    b1 = FloatVector.fromArray(F, b, bo + L),
                    b2 = FloatVector.fromArray(F, b, bo + 2 * L);
            FloatVector av = FloatVector.broadcast(F, a[ao]);
            c00 = b0.fma(av, c00);
            c01 = b1.fma(av, c01);
            c02 = b2.fma(av, c02);
            av = FloatVector.broadcast(F, a[ao + r1]);
            c10 = b0.fma(av, c10);
            c11 = b1.fma(av, c11);
            c12 = b2.fma(av, c12);
            av = FloatVector.broadcast(F, a[ao + r2]);
            c20 = b0.fma(av, c20);
            c21 = b1.fma(av, c21);
            c22 = b2.fma(av, c22);
            av = FloatVector.broadcast(F, a[ao + r3]);
            c30 = b0.fma(av, c30);
            c31 = b1.fma(av, c31);
            c32 = b2.fma(av, c32);
            av = FloatVector.broadcast(F, a[ao + r4]);
            c40 = b0.fma(av, c40);
            c41 = b1.fma(av, c41);
            c42 = b2.fma(av, c42);
            av = FloatVector.broadcast(F, a[ao + r5]);
            c50 = b0.fma(av, c50);
            c51 = b1.fma(av, c51);
            c52 = b2.fma(av, c52);
            av = FloatVector.broadcast(F, a[ao + r6]);
            c60 = b0.fma(av, c60);
            c61 = b1.fma(av, c61);
            c62 = b2.fma(av, c62);
            av = FloatVector.broadcast(F, a[ao + r7]);
            c70 = b0.fma(av, c70);
            c71 = b1.fma(av, c71);
            c72 = b2.fma(av, c72);
        }
        c00.intoArray(c, o0);
        c01.intoArray(c, o0 + L);
        c02.intoArray(c, o0 + 2 * L);
        c10.intoArray(c, o1);
        c11.intoArray(c, o1 + L);
        c12.intoArray(c, o1 + 2 * L);
        c20.intoArray(c, o2);
        c21.intoArray(c, o2 + L);
        c22.intoArray(c, o2 + 2 * L);
        c30.intoArray(c, o3);
        c31.intoArray(c, o3 + L);
        c32.intoArray(c, o3 + 2 * L);
        c40.intoArray(c, o4);
        c41.intoArray(c, o4 + L);
        c42.intoArray(c, o4 + 2 * L);
        c50.intoArray(c, o5);
        c51.intoArray(c, o5 + L);
        c52.intoArray(c, o5 + 2 * L);
        c60.intoArray(c, o6);
        c61.intoArray(c, o6 + L);
        c62.intoArray(c, o6 + 2 * L);
        c70.intoArray(c, o7);
        c71.intoArray(c, o7 + L);
        c72.intoArray(c, o7 + 2 * L);
    }

    /**
     * The 8 × 2-vector tile, into {@code t} (row stride NR): right-edge panels two vectors wide (N
     * = 128 output channels is 48 + 48 + 32). One pass: each A value is broadcast once for both
     * vectors, 16 FMAs per 2 loads of B and 8 broadcasts, where two passes of the 8 × 1 tile took
     * 18 loads.
     */
    private static void kernel8x2(
            float[] a, int aOff, int ars, int aks, int mr, float[] b, int bOff, int kc, float[] t) {
        int r1 = Math.min(1, mr - 1) * ars,
                r2 = Math.min(2, mr - 1) * ars,
                r3 = Math.min(3, mr - 1) * ars,
                r4 = Math.min(4, mr - 1) * ars,
                r5 = Math.min(5, mr - 1) * ars,
                r6 = Math.min(6, mr - 1) * ars,
                r7 = Math.min(7, mr - 1) * ars;
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        FloatVector c60 = c00, c61 = c00, c70 = c00, c71 = c00;
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
            av = FloatVector.broadcast(F, a[ao + r6]);
            c60 = b0.fma(av, c60);
            c61 = b1.fma(av, c61);
            av = FloatVector.broadcast(F, a[ao + r7]);
            c70 = b0.fma(av, c70);
            c71 = b1.fma(av, c71);
        }
        c00.intoArray(t, 0);
        c01.intoArray(t, L);
        c10.intoArray(t, NR);
        c11.intoArray(t, NR + L);
        c20.intoArray(t, 2 * NR);
        c21.intoArray(t, 2 * NR + L);
        c30.intoArray(t, 3 * NR);
        c31.intoArray(t, 3 * NR + L);
        c40.intoArray(t, 4 * NR);
        c41.intoArray(t, 4 * NR + L);
        c50.intoArray(t, 5 * NR);
        c51.intoArray(t, 5 * NR + L);
        c60.intoArray(t, 6 * NR);
        c61.intoArray(t, 6 * NR + L);
        c70.intoArray(t, 7 * NR);
        c71.intoArray(t, 7 * NR + L);
    }

    /**
     * The 8 × 1-vector tile over the first vector of each packed B row, into {@code t} (row stride
     * NR): right-edge panels one vector wide.
     */
    private static void kernel8x1(
            float[] a, int aOff, int ars, int aks, int mr, float[] b, int bOff, int kc, float[] t) {
        int r1 = Math.min(1, mr - 1) * ars,
                r2 = Math.min(2, mr - 1) * ars,
                r3 = Math.min(3, mr - 1) * ars,
                r4 = Math.min(4, mr - 1) * ars,
                r5 = Math.min(5, mr - 1) * ars,
                r6 = Math.min(6, mr - 1) * ars,
                r7 = Math.min(7, mr - 1) * ars;
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        FloatVector c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        int ao = aOff, bo = bOff;
        for (int k = 0; k < kc; k++, ao += aks, bo += NR) {
            FloatVector bv = FloatVector.fromArray(F, b, bo);
            c0 = bv.fma(FloatVector.broadcast(F, a[ao]), c0);
            c1 = bv.fma(FloatVector.broadcast(F, a[ao + r1]), c1);
            c2 = bv.fma(FloatVector.broadcast(F, a[ao + r2]), c2);
            c3 = bv.fma(FloatVector.broadcast(F, a[ao + r3]), c3);
            c4 = bv.fma(FloatVector.broadcast(F, a[ao + r4]), c4);
            c5 = bv.fma(FloatVector.broadcast(F, a[ao + r5]), c5);
            c6 = bv.fma(FloatVector.broadcast(F, a[ao + r6]), c6);
            c7 = bv.fma(FloatVector.broadcast(F, a[ao + r7]), c7);
        }
        c0.intoArray(t, 0);
        c1.intoArray(t, NR);
        c2.intoArray(t, 2 * NR);
        c3.intoArray(t, 3 * NR);
        c4.intoArray(t, 4 * NR);
        c5.intoArray(t, 5 * NR);
        c6.intoArray(t, 6 * NR);
        c7.intoArray(t, 7 * NR);
    }

    /**
     * The 6 × 4-vector tile for 32 vector registers, over panels of {@link #NR4} columns: 24
     * accumulators, 24 FMAs per 4 loads of B and 6 broadcasts of A, the same count as the 8 × 3
     * tile's. A is read in place (unit column stride), rows at or beyond {@code mr} re-read row mr
     * − 1. Overwrites C, as {@link #kernel8x3}.
     */
    private static void kernel6x4(
            float[] a,
            int aOff,
            int ars,
            int mr,
            float[] b,
            int bOff,
            int kc,
            float[] c,
            int cOff,
            int ldc) {
        int r1 = Math.min(1, mr - 1) * ars,
                r2 = Math.min(2, mr - 1) * ars,
                r3 = Math.min(3, mr - 1) * ars,
                r4 = Math.min(4, mr - 1) * ars,
                r5 = Math.min(5, mr - 1) * ars;
        FloatVector zero = FloatVector.zero(F);
        FloatVector c00 = zero, c01 = zero, c02 = zero, c03 = zero;
        FloatVector c10 = zero, c11 = zero, c12 = zero, c13 = zero;
        FloatVector c20 = zero, c21 = zero, c22 = zero, c23 = zero;
        FloatVector c30 = zero, c31 = zero, c32 = zero, c33 = zero;
        FloatVector c40 = zero, c41 = zero, c42 = zero, c43 = zero;
        FloatVector c50 = zero, c51 = zero, c52 = zero, c53 = zero;
        int ao = aOff, bo = bOff;
        for (int k = 0; k < kc; k++, ao++, bo += NR4) {
            FloatVector b0 = FloatVector.fromArray(F, b, bo),
                    b1 = FloatVector.fromArray(F, b, bo + L),
                    b2 = FloatVector.fromArray(F, b, bo + 2 * L),
                    b3 = FloatVector.fromArray(F, b, bo + 3 * L);
            FloatVector av = FloatVector.broadcast(F, a[ao]);
            c00 = b0.fma(av, c00);
            c01 = b1.fma(av, c01);
            c02 = b2.fma(av, c02);
            c03 = b3.fma(av, c03);
            av = FloatVector.broadcast(F, a[ao + r1]);
            c10 = b0.fma(av, c10);
            c11 = b1.fma(av, c11);
            c12 = b2.fma(av, c12);
            c13 = b3.fma(av, c13);
            av = FloatVector.broadcast(F, a[ao + r2]);
            c20 = b0.fma(av, c20);
            c21 = b1.fma(av, c21);
            c22 = b2.fma(av, c22);
            c23 = b3.fma(av, c23);
            av = FloatVector.broadcast(F, a[ao + r3]);
            c30 = b0.fma(av, c30);
            c31 = b1.fma(av, c31);
            c32 = b2.fma(av, c32);
            c33 = b3.fma(av, c33);
            av = FloatVector.broadcast(F, a[ao + r4]);
            c40 = b0.fma(av, c40);
            c41 = b1.fma(av, c41);
            c42 = b2.fma(av, c42);
            c43 = b3.fma(av, c43);
            av = FloatVector.broadcast(F, a[ao + r5]);
            c50 = b0.fma(av, c50);
            c51 = b1.fma(av, c51);
            c52 = b2.fma(av, c52);
            c53 = b3.fma(av, c53);
        }
        int o = cOff;
        c00.intoArray(c, o);
        c01.intoArray(c, o + L);
        c02.intoArray(c, o + 2 * L);
        c03.intoArray(c, o + 3 * L);
        o += ldc;
        c10.intoArray(c, o);
        c11.intoArray(c, o + L);
        c12.intoArray(c, o + 2 * L);
        c13.intoArray(c, o + 3 * L);
        o += ldc;
        c20.intoArray(c, o);
        c21.intoArray(c, o + L);
        c22.intoArray(c, o + 2 * L);
        c23.intoArray(c, o + 3 * L);
        o += ldc;
        c30.intoArray(c, o);
        c31.intoArray(c, o + L);
        c32.intoArray(c, o + 2 * L);
        c33.intoArray(c, o + 3 * L);
        o += ldc;
        c40.intoArray(c, o);
        c41.intoArray(c, o + L);
        c42.intoArray(c, o + 2 * L);
        c43.intoArray(c, o + 3 * L);
        o += ldc;
        c50.intoArray(c, o);
        c51.intoArray(c, o + L);
        c52.intoArray(c, o + 2 * L);
        c53.intoArray(c, o + 3 * L);
    }

    /** {@code C[i][j] += t[i·NR + j]} for i < MR, j < NR. */
    private static void addTile(float[] t, float[] c, int cOff, int ldc) {
        for (int i = 0; i < MR; i++)
            for (int j = 0; j < NR; j += L) {
                int ci = cOff + i * ldc + j;
                FloatVector.fromArray(F, t, i * NR + j)
                        .add(FloatVector.fromArray(F, c, ci))
                        .intoArray(c, ci);
            }
    }

    /** The 6 × 2-vector tile for 16 vector registers (AVX2 and narrower). */
    private static void kernel6x2(
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
    static class RowMajor implements BPack {
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
