package org.cladec.engine.kernels.simd;

import static org.cladec.engine.kernels.simd.Simd.F;
import static org.cladec.engine.kernels.simd.Simd.L;

import jdk.incubator.vector.FloatVector;
import org.cladec.engine.kernels.ConvGeom;
import org.cladec.engine.kernels.ConvKernels;

/**
 * Convolution as GEMM on the shared core ({@link Gemm}), with K = C·KH·KW and columns = images ×
 * output pixels, the batch processed in chunks of images so scratch buffers stay small:
 *
 * <ul>
 *   <li>forward: out (OC, cols) = w (OC, K) · im2col(x) (K, cols); an image with enough pixels goes
 *       alone and is written straight into its output planes, small images are batched into a
 *       buffer that is then scattered to NCHW;
 *   <li>backwardInput: dcols (K, cols) = wᵀ (K, OC) · dOut (OC, cols), then col2im adds dcols into
 *       dx;
 *   <li>backwardWeight: dwᵀ (K, OC) = im2col (K, R) · dOutᵀ (R, OC) over chunks of R = images ×
 *       pixels, then added into dw.
 * </ul>
 *
 * A single-channel input (the first conv's input gradient, the last transposed conv of a decoder)
 * leaves the input gradient's product only KH·KW rows; those go to the plain-Java kernel.
 *
 * <p>Convolutions over planes smaller than the kernel window take {@link DenseConv} instead.
 *
 * <p>The weights are read in place (as rows, or as columns for the input gradient, transposed once
 * when several chunks of images would each repack them); im2col chunks are materialised with
 * run-wise copies, by half-vector windows at stride 2 (output rows under two vectors) or, on planes
 * of a few vectors, by lane permutes; the forward pass of other output planes of at most 16 pixels
 * has no im2col matrix at all (GEMM packs its panels from x); dOut is gathered while GEMM packs its
 * panels.
 */
public final class SimdConvKernels implements ConvKernels {
    /**
     * Columns per GEMM when images are batched; an image with at least this many pixels goes alone.
     */
    static final int TARGET_COLS = 256;

    /** Reduction length per weight-gradient GEMM. */
    static final int TARGET_ROWS = 2048;

    /** Upper bound on the floats of one materialised im2col chunk. */
    static final int MAX_IM2COL = 1 << 21;

    private static int images(int pixels, int target, int K, int nLeft) {
        int byTarget = (target + pixels - 1) / pixels,
                byMemory = MAX_IM2COL / Math.max(1, K * pixels);
        return Math.max(1, Math.min(nLeft, Math.min(byTarget, byMemory)));
    }

    /**
     * Images per chunk when the chunk's images × pixels are a GEMM's columns: about {@link
     * #TARGET_COLS}, rounded up to a whole number of NR-wide panels when a few images make one (64
     * pixels: 6 images, 384 columns). 256 columns left a 16-column right-edge panel in every chunk,
     * which the 8 × 1-vector tile computes at about a third of the full tile's rate.
     */
    private static int columnChunk(int pixels, int K, int nLeft) {
        int nb = (TARGET_COLS + pixels - 1) / pixels, unit = Gemm.NR / gcd(pixels, Gemm.NR);
        if ((long) unit * pixels <= 2 * TARGET_COLS) nb = (nb + unit - 1) / unit * unit;
        int byMemory = MAX_IM2COL / Math.max(1, K * pixels);
        if (nb > byMemory) nb = byMemory >= unit ? byMemory / unit * unit : byMemory;
        return Math.max(1, Math.min(nLeft, nb));
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
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
        forward(out, x, w, b, null, null, g, accumulate, nLo, nHi);
    }

    /**
     * Applies scale, shift and the ReLU to each chunk's product in its buffer, a channel's row at a
     * time while it is in L2, before it is copied into NCHW; where the product goes straight into
     * out (one image, the dense form), right after it. The eval-mode batch norm then needs no pass
     * over the activations of its own.
     */
    @Override
    public void forwardScaleShiftRelu(
            float[] out,
            float[] x,
            float[] w,
            float[] scale,
            float[] shift,
            ConvGeom g,
            int nLo,
            int nHi) {
        forward(out, x, w, null, scale, shift, g, false, nLo, nHi);
    }

    /** forward, with scale, shift and ReLU applied to the output where scale is not null. */
    private static void forward(
            float[] out,
            float[] x,
            float[] w,
            float[] b,
            float[] scale,
            float[] shift,
            ConvGeom g,
            boolean accumulate,
            int nLo,
            int nHi) {
        if (DenseConv.applies(g)) {
            dense(out, x, w, b, scale, shift, g, accumulate, nLo, nHi, 0, g.OC);
            return;
        }
        Gemm.Scratch s = Gemm.SCRATCH.get();
        if (PixelProducts.applies(g)) {
            PixelProducts.forward(out, x, w, g, accumulate, nLo, nHi, 0, g.OC, scale != null, s);
            if (b != null) addBias(out, b, g.OC, g.OH * g.OW, nLo, nHi, 0, g.OC);
            if (scale != null)
                SimdNormKernels.scaleShiftRelu(
                        out, scale, shift, g.OC, g.OH * g.OW, nLo, nHi, 0, g.OC);
            return;
        }
        final int OC = g.OC, K = g.C * g.KH * g.KW, OHW = g.OH * g.OW;
        int nb = OHW >= TARGET_COLS ? 1 : columnChunk(OHW, K, nHi - nLo);
        for (int n0 = nLo; n0 < nHi; n0 += nb) {
            int cnt = Math.min(nb, nHi - n0), cols = cnt * OHW;
            Gemm.BPack bp;
            // output planes of a few pixels: GEMM packs im2col's panels straight from x, with no
            // matrix in between (ConvBench forward, 4 x 4 -> 2 x 2 layers: ~15% faster)
            if (OHW <= ConvPacks.IM2COL_SMALL_PIXELS && !ConvPacks.byPermutes(g)) {
                bp = s.smallCols.set(x, g, n0, s);
            } else if (ConvPacks.byShiftCols(g)) {
                // likewise by shifted loads (16 x 16 -> 8 x 8: ~7%)
                bp = s.shiftCols.set(x, g, n0, cnt, 0, g.C, s);
            } else {
                float[] im = s.temp(K * cols);
                ConvPacks.im2col(im, cols, x, g, n0, cnt, 0, g.C, s);
                bp = s.rowMajor.set(im, 0, cols);
            }
            if (cnt == 1) {
                Gemm.gemm(out, n0 * OC * OHW, OHW, w, 0, K, 1, bp, OC, OHW, K, accumulate, s);
                if (scale != null)
                    SimdNormKernels.scaleShiftRelu(out, scale, shift, OC, OHW, n0, n0 + 1, 0, OC);
            } else {
                float[] tmp = s.temp2(OC * cols);
                Gemm.gemm(tmp, 0, cols, w, 0, K, 1, bp, OC, cols, K, false, s);
                if (scale != null) { // each channel's row of the chunk in one run, still in L2
                    for (int oc = 0; oc < OC; oc++)
                        SimdNormKernels.affine(
                                tmp, oc * cols, tmp, oc * cols, cols, scale[oc], shift[oc], true);
                }
                for (int n = 0; n < cnt; n++) {
                    for (int oc = 0; oc < OC; oc++) {
                        int src = oc * cols + n * OHW, dst = ((n0 + n) * OC + oc) * OHW;
                        if (accumulate) add(out, dst, tmp, src, OHW);
                        else System.arraycopy(tmp, src, out, dst, OHW);
                    }
                }
            }
            if (b != null) addBias(out, b, OC, OHW, n0, n0 + cnt, 0, OC);
        }
    }

    /**
     * Pixel products' {@link PixelProducts#CHUNK} images, the columns of one chunk's products; an
     * im2col chunk of images where several make one product ({@link #columnChunk}): a whole number
     * of register-tile panels, so a part that starts on it lays its panels over its images as the
     * unsplit call does, and the fused col2im adds into dx in the same order.
     */
    @Override
    public int imageGrain(ConvGeom g) {
        if (DenseConv.applies(g) || g.C == 1) return 1;
        if (PixelProducts.applies(g)) return PixelProducts.CHUNK;
        int OHW = g.OH * g.OW;
        return OHW >= TARGET_COLS ? 1 : columnChunk(OHW, g.C * g.KH * g.KW, g.N);
    }

    /**
     * Every grain but pixel products': im2col chunks of several images, whose fused col2im orders
     * sums by the chunk.
     */
    @Override
    public boolean imageGrainExact(ConvGeom g) {
        return imageGrain(g) > 1 && !PixelProducts.applies(g);
    }

    /**
     * The dense form packs its weight matrix per call, so it splits by channels; so do pixel
     * products where the weights they rearrange per call outweigh the activations.
     */
    @Override
    public boolean splitsByChannels(ConvGeom g) {
        return DenseConv.applies(g) || PixelProducts.splitsByChannels(g);
    }

    @Override
    public void forwardChannels(
            float[] out,
            float[] x,
            float[] w,
            float[] b,
            ConvGeom g,
            boolean accumulate,
            int ocLo,
            int ocHi) {
        if (DenseConv.applies(g))
            dense(out, x, w, b, null, null, g, accumulate, 0, g.N, ocLo, ocHi);
        else if (PixelProducts.splitsByChannels(g)) {
            PixelProducts.forward(
                    out, x, w, g, accumulate, 0, g.N, ocLo, ocHi, false, Gemm.SCRATCH.get());
            if (b != null) addBias(out, b, g.OC, g.OH * g.OW, 0, g.N, ocLo, ocHi);
        } else ConvKernels.super.forwardChannels(out, x, w, b, g, accumulate, ocLo, ocHi);
    }

    /**
     * The dense form's forward for images [nLo, nHi), channels [ocLo, ocHi); where scale is given
     * (the inference path) its packed weight matrix is kept across calls ({@link DenseConv.Kept})
     * and the folded batch norm's epilogue follows.
     */
    private static void dense(
            float[] out,
            float[] x,
            float[] w,
            float[] b,
            float[] scale,
            float[] shift,
            ConvGeom g,
            boolean accumulate,
            int nLo,
            int nHi,
            int ocLo,
            int ocHi) {
        boolean fold = scale != null;
        DenseConv.forward(
                out, x, w, b, g, accumulate, nLo, nHi, ocLo, ocHi, fold, Gemm.SCRATCH.get());
        if (fold)
            SimdNormKernels.scaleShiftRelu(
                    out, scale, shift, g.OC, g.OH * g.OW, nLo, nHi, ocLo, ocHi);
    }

    /**
     * The inference path: the dense form keeps its packed weight matrix across calls ({@link
     * DenseConv.Kept}), then the epilogue.
     */
    @Override
    public void forwardChannelsScaleShiftRelu(
            float[] out,
            float[] x,
            float[] w,
            float[] scale,
            float[] shift,
            ConvGeom g,
            int ocLo,
            int ocHi) {
        if (DenseConv.applies(g))
            dense(out, x, w, null, scale, shift, g, false, 0, g.N, ocLo, ocHi);
        else if (PixelProducts.splitsByChannels(g)) {
            PixelProducts.forward(
                    out, x, w, g, false, 0, g.N, ocLo, ocHi, true, Gemm.SCRATCH.get());
            scaleShiftRelu(out, scale, shift, g, 0, g.N, ocLo, ocHi);
        } else
            ConvKernels.super.forwardChannelsScaleShiftRelu(out, x, w, scale, shift, g, ocLo, ocHi);
    }

    /** {@link SimdNormKernels#normalize}'s rounding: one per element, lanes and tail alike. */
    @Override
    public void scaleShiftRelu(
            float[] out,
            float[] scale,
            float[] shift,
            ConvGeom g,
            int nLo,
            int nHi,
            int ocLo,
            int ocHi) {
        SimdNormKernels.scaleShiftRelu(out, scale, shift, g.OC, g.OH * g.OW, nLo, nHi, ocLo, ocHi);
    }

    @Override
    public void backwardInputChannels(
            float[] dx, float[] dOut, float[] w, ConvGeom g, int cLo, int cHi) {
        backwardInputChannels(dx, dOut, w, g, cLo, cHi, false);
    }

    /** The dense form keeps its packed D across calls ({@link DenseConv.Kept}). */
    @Override
    public void backwardInputChannelsFrozen(
            float[] dx, float[] dOut, float[] w, ConvGeom g, int cLo, int cHi) {
        backwardInputChannels(dx, dOut, w, g, cLo, cHi, true);
    }

    private void backwardInputChannels(
            float[] dx, float[] dOut, float[] w, ConvGeom g, int cLo, int cHi, boolean keep) {
        Gemm.Scratch s = Gemm.SCRATCH.get();
        if (DenseConv.applies(g))
            DenseConv.backwardInput(dx, dOut, w, g, 0, g.N, cLo, cHi, keep, s);
        else if (PixelProducts.splitsByChannels(g))
            PixelProducts.backwardInput(dx, dOut, w, g, 0, g.N, cLo, cHi, keep, s);
        else ConvKernels.super.backwardInputChannels(dx, dOut, w, g, cLo, cHi);
    }

    /** Pixel products keep their rearranged weights across calls ({@code PixelProducts.Kept}). */
    @Override
    public void backwardInputFrozen(
            float[] dx, float[] dOut, float[] w, ConvGeom g, int nLo, int nHi) {
        if (PixelProducts.applies(g))
            PixelProducts.backwardInput(dx, dOut, w, g, nLo, nHi, 0, g.C, true, Gemm.SCRATCH.get());
        else backwardInput(dx, dOut, w, g, nLo, nHi);
    }

    /**
     * dcols (K, cols) = wᵀ (K, OC) · dOut (OC, cols), then col2im. NOTE: a sub-pixel decomposition
     * (one stride-1 correlation per output parity, no scatter-add) was tried and measured slower on
     * every layer of the classifier and the decoder: its GEMMs have M = C instead of K = C·KH·KW.
     */
    @Override
    public void backwardInput(float[] dx, float[] dOut, float[] w, ConvGeom g, int nLo, int nHi) {
        if (DenseConv.applies(g)) {
            DenseConv.backwardInput(dx, dOut, w, g, nLo, nHi, 0, g.C, false, Gemm.SCRATCH.get());
            return;
        }
        if (PixelProducts.applies(g)) {
            PixelProducts.backwardInput(
                    dx, dOut, w, g, nLo, nHi, 0, g.C, false, Gemm.SCRATCH.get());
            return;
        }
        if (g.C == 1) { // 9 or 16 rows: too few for the register tile
            SingleChannel.backwardInput(dx, dOut, w, g, nLo, nHi, Gemm.SCRATCH.get());
            return;
        }
        Gemm.Scratch s = Gemm.SCRATCH.get();
        final int OC = g.OC, K = g.C * g.KH * g.KW, OHW = g.OH * g.OW;
        int nb = columnChunk(OHW, K, nHi - nLo);
        // wᵀ is w read by columns, which GEMM packs strip by strip for every chunk of images;
        // with several chunks, transposing it once is cheaper (ConvBench backwardInput, 32 chunks
        // of 4 images: t128x128x8x8to64k4s2p1 92 -> 59 ms), with one it is not (c128x512x2x2to512
        // k3s2p1: 36 -> 47 ms, a 9 MB transpose where packing touches each strip once anyway)
        final boolean transposeOnce = nHi - nLo > nb;
        float[] a = w;
        int ars = 1, aks = K;
        if (transposeOnce) {
            a = s.temp2(K * OC);
            ConvPacks.transpose(a, w, OC, K);
            ars = OC;
            aks = 1;
        }
        // the sink's tap table is built once per call; each chunk only moves its first image
        final ConvPacks.Col2imSink sink = fusesCol2im(g) ? s.col2im.set(dx, g, s) : null;
        final boolean phases = sink == null && ConvPacks.PhaseSink.applies(g);
        for (int n0 = nLo; n0 < nHi; n0 += nb) {
            int cnt = Math.min(nb, nHi - n0), cols = cnt * OHW;
            ConvPacks.OutRows bp = s.outRows.set(dOut, OC, OHW, n0);
            if (sink != null) {
                Gemm.gemmToSink(sink.from(n0), a, 0, ars, aks, bp, K, cols, OC, s);
                continue;
            }
            if (phases) {
                ConvPacks.PhaseSink ps = s.phaseSink.set(g, cnt, s);
                Gemm.gemmToSink(ps, a, 0, ars, aks, bp, K, cols, OC, s);
                ps.merge(dx, n0);
                continue;
            }
            float[] dcols = s.temp(K * cols);
            Gemm.gemm(dcols, 0, cols, a, 0, ars, aks, bp, K, cols, OC, false, s);
            ConvPacks.col2im(dx, dcols, g, n0, cnt, cols, s);
        }
    }

    /**
     * The weight gradient for input channels [cLo, cHi), the columns (c, kh, kw) of dw (OC, K),
     * over chunks of R = images × pixels. Each part materialises only its own im2col rows (Kr, R).
     * Two forms, chosen by the geometry alone:
     *
     * <ul>
     *   <li>{@code dwᵀ (Kr, OC) = im2col (Kr, R) · dOutᵀ (R, OC)}, then dwᵀ added into dw: im2col
     *       is read in place and only dOut is packed. Best when dOut has many more pixels than
     *       channels, the usual case.
     *   <li>{@code dw (OC, Kr) += dOut (OC, R) · im2colᵀ (R, Kr)}, straight into dw: GEMM packs
     *       im2col transposed, but nothing is added afterwards. Best when dw is as large as the
     *       data: the decoder's 512 → 256 layer (dw 8 MB, 2×2 outputs), where adding dwᵀ ran from
     *       memory and took a fifth of the time; and when K is two register strips' rows or fewer
     *       (a 1 × 1 kernel over a few channels), which in the first form would leave strips part
     *       empty. One input channel goes to {@link SingleChannel} instead.
     * </ul>
     *
     * The chunks also depend only on the geometry, so every part sums each weight's terms in the
     * same order: results do not depend on how the channels are split.
     */
    @Override
    public void backwardWeight(float[] dw, float[] dOut, float[] x, ConvGeom g, int cLo, int cHi) {
        Gemm.Scratch s = Gemm.SCRATCH.get();
        if (DenseConv.applies(g)) {
            DenseConv.backwardWeight(dw, dOut, x, g, cLo, cHi, s);
            return;
        }
        if (PixelProducts.applies(g)) {
            PixelProducts.backwardWeight(dw, dOut, x, g, cLo, cHi, 0, g.OC, s);
            return;
        }
        if (g.C == 1) {
            if (cLo < cHi) SingleChannel.weightGradient(dw, dOut, x, g, 0, g.OC, s);
            return;
        }
        weightGradient(dw, dOut, x, g, cLo, cHi, s);
    }

    /**
     * Split over output channels: one input channel ({@link SingleChannel}), or pixel products
     * unless x is more than four times dOut ({@code
     * PixelProducts.splitsWeightGradientByOutChannels}).
     */
    @Override
    public boolean splitsWeightGradientByOutChannels(ConvGeom g) {
        return g.C == 1 && !DenseConv.applies(g)
                || PixelProducts.splitsWeightGradientByOutChannels(g);
    }

    /**
     * The rows of dw for output channels [ocLo, ocHi): by pixel products, each part transposing its
     * own rows of dOut; or with one input channel by {@link SingleChannel}, each part building the
     * image's KH·KW im2col rows. Either computes every element of dw the same way whatever rows it
     * is given, so the result does not depend on the split.
     */
    @Override
    public void backwardWeightOutChannels(
            float[] dw, float[] dOut, float[] x, ConvGeom g, int ocLo, int ocHi) {
        if (!splitsWeightGradientByOutChannels(g)) {
            ConvKernels.super.backwardWeightOutChannels(dw, dOut, x, g, ocLo, ocHi); // throws
            return;
        }
        if (PixelProducts.applies(g)) {
            PixelProducts.backwardWeight(dw, dOut, x, g, 0, g.C, ocLo, ocHi, Gemm.SCRATCH.get());
            return;
        }
        SingleChannel.weightGradient(dw, dOut, x, g, ocLo, ocHi, Gemm.SCRATCH.get());
    }

    /**
     * The im2col weight gradient in its first form (dwᵀ = im2col · dOutᵀ) over several chunks of
     * images. Split by input channels, each part packed all of dOut and read every image, half of
     * them written by the other core (the classifier's 16 × 16 → 8 × 8 layer: two halves took
     * 3.0–3.3 ms on one thread against 2.5–2.7 for the whole call); by chunks of images each part
     * reads only its own images. Pixel products' small planes where their partial sums are small
     * ({@code PixelProducts.splitsWeightGradientByImages}).
     */
    @Override
    public boolean splitsWeightGradientByImages(ConvGeom g) {
        if (PixelProducts.applies(g)) return PixelProducts.splitsWeightGradientByImages(g);
        return !DenseConv.applies(g)
                && g.C > 1
                && !directWeightGradient(g)
                && weightGradientChunks(g) > 1;
    }

    /**
     * A power of two of chunks of at most {@link #weightChunk} images each, their sizes differing
     * by at most one: chunks of 32 images with the rest in a last one gave two threads 64 and 36
     * images at batch 100 (32, 32, 32, 4); now 4 × 25. Pixel products' chunks: {@code
     * PixelProducts.weightGradientChunks}.
     */
    @Override
    public int weightGradientChunks(ConvGeom g) {
        if (PixelProducts.applies(g)) return PixelProducts.weightGradientChunks(g);
        int nb = weightChunk(g), J = (g.N + nb - 1) / nb;
        return J <= 1 ? 1 : Integer.highestOneBit(J - 1) << 1;
    }

    /** Each chunk's dwᵀ by one GEMM over the chunk's images ({@link #weightGradientChunks}). */
    @Override
    public void weightGradientChunks(
            float[] partials, float[] dOut, float[] x, ConvGeom g, int jLo, int jHi) {
        Gemm.Scratch s = Gemm.SCRATCH.get();
        int size = g.C * g.KH * g.KW * g.OC;
        if (PixelProducts.applies(g)) {
            for (int j = jLo; j < jHi; j++)
                PixelProducts.weightGradientChunk(partials, j * size, dOut, x, g, j, s);
            return;
        }
        int J = weightGradientChunks(g);
        for (int j = jLo; j < jHi; j++) {
            int n0 = chunkStart(j, g.N, J), cnt = chunkStart(j + 1, g.N, J) - n0;
            chunkProduct(partials, j * size, false, dOut, x, g, n0, cnt, 0, g.C, s);
        }
    }

    /**
     * The first image of chunk j of {@code chunks} equal chunks of n images (sizes differing by at
     * most one); chunk j ends where chunk j + 1 starts.
     */
    static int chunkStart(int j, int n, int chunks) {
        return (int) ((long) j * n / chunks);
    }

    /** Images per chunk of the weight gradient's reduction: about {@link #TARGET_ROWS} rows. */
    private static int weightChunk(ConvGeom g) {
        return images(g.OH * g.OW, TARGET_ROWS, g.C * g.KH * g.KW, g.N);
    }

    /**
     * {@code p (Kr, OC) (=|+=) im2col (Kr, R) · dOutᵀ (R, OC)} at {@code off}: the dwᵀ rows of
     * input channels [cLo, cHi) over images [n0, n0 + cnt), im2col materialised, dOut packed as
     * GEMM goes.
     */
    private static void chunkProduct(
            float[] p,
            int off,
            boolean accumulate,
            float[] dOut,
            float[] x,
            ConvGeom g,
            int n0,
            int cnt,
            int cLo,
            int cHi,
            Gemm.Scratch s) {
        final int OC = g.OC, OHW = g.OH * g.OW, Kr = (cHi - cLo) * g.KH * g.KW, R = cnt * OHW;
        float[] cols = s.temp(Kr * R);
        ConvPacks.im2col(cols, R, x, g, n0, cnt, cLo, cHi, s);
        ConvPacks.OutCols bp = s.outCols.set(dOut, OC, OHW, n0, 0);
        Gemm.gemm(p, off, OC, cols, 0, R, 1, bp, Kr, OC, R, accumulate, s);
    }

    @Override
    public void addWeightGradientChunks(
            float[] dw, float[] partials, ConvGeom g, int kLo, int kHi) {
        if (PixelProducts.applies(g)) {
            PixelProducts.addWeightGradientChunks(dw, partials, g, kLo, kHi);
            return;
        }
        final int OC = g.OC, K = g.C * g.KH * g.KW, J = weightGradientChunks(g);
        int from = kLo * OC, n = (kHi - kLo) * OC;
        for (int j = 1; j < J; j++) add(partials, from, partials, j * K * OC + from, n);
        addTransposed(dw, K, kLo, partials, from, kHi - kLo, OC);
    }

    /** backwardWeight for input channels [cLo, cHi), every output channel. */
    private static void weightGradient(
            float[] dw, float[] dOut, float[] x, ConvGeom g, int cLo, int cHi, Gemm.Scratch s) {
        final int N = g.N, OC = g.OC, KK = g.KH * g.KW, K = g.C * KK, OHW = g.OH * g.OW;
        final int k0 = cLo * KK, Kr = (cHi - cLo) * KK;
        if (Kr <= 0) return;
        final boolean direct = directWeightGradient(g);
        int nb = weightChunk(g);
        float[] dwT = direct ? null : s.temp2(Kr * OC);
        for (int n0 = 0; n0 < N; n0 += nb) {
            int cnt = Math.min(nb, N - n0), R = cnt * OHW;
            if (!direct) {
                chunkProduct(dwT, 0, n0 > 0, dOut, x, g, n0, cnt, cLo, cHi, s);
                continue;
            }
            float[] cols = s.temp(Kr * R);
            ConvPacks.im2col(cols, R, x, g, n0, cnt, cLo, cHi, s);
            // dOut's images are (OC, OHW) blocks; one (OC, R) matrix only when there is one image
            float[] a = dOut;
            int aOff = n0 * OC * OHW, ars = OHW;
            if (cnt > 1) {
                a = s.temp2(OC * R);
                aOff = 0;
                ars = R;
                for (int n = 0; n < cnt; n++)
                    for (int oc = 0; oc < OC; oc++)
                        System.arraycopy(
                                dOut, ((n0 + n) * OC + oc) * OHW, a, oc * R + n * OHW, OHW);
            }
            Gemm.BPack colsT = s.transposed.set(cols, 0, R);
            Gemm.gemmOnePass(dw, k0, K, a, aOff, ars, 1, colsT, OC, Kr, R, true, s);
        }
        if (!direct) addTransposed(dw, K, k0, dwT, Kr, OC);
    }

    /** Pixel products' rearranged weights ({@code PixelProducts.sharedSize}). */
    @Override
    public int sharedSize(Shared what, ConvGeom g) {
        return PixelProducts.sharedSize(what, g);
    }

    @Override
    public void share(Shared what, float[] shared, float[] from, ConvGeom g, int lo, int hi) {
        if (sharedSize(what, g) == 0) ConvKernels.super.share(what, shared, from, g, lo, hi);
        else PixelProducts.share(what, shared, from, g, lo, hi);
    }

    @Override
    public void forwardShared(
            float[] out,
            float[] x,
            float[] shared,
            float[] b,
            ConvGeom g,
            boolean accumulate,
            int nLo,
            int nHi) {
        if (sharedSize(Shared.FORWARD_WEIGHTS, g) == 0) {
            ConvKernels.super.forwardShared(out, x, shared, b, g, accumulate, nLo, nHi);
            return;
        }
        PixelProducts.forwardArranged(
                out, x, shared, g, accumulate, nLo, nHi, 0, g.OC, Gemm.SCRATCH.get());
        if (b != null) addBias(out, b, g.OC, g.OH * g.OW, nLo, nHi, 0, g.OC);
    }

    @Override
    public void backwardInputShared(
            float[] dx, float[] dOut, float[] shared, ConvGeom g, int nLo, int nHi) {
        if (sharedSize(Shared.INPUT_GRADIENT_WEIGHTS, g) == 0)
            ConvKernels.super.backwardInputShared(dx, dOut, shared, g, nLo, nHi);
        else
            PixelProducts.backwardInputArranged(
                    dx, dOut, shared, g, nLo, nHi, 0, g.C, Gemm.SCRATCH.get());
    }

    /**
     * Whether {@link #backwardInput} adds each tile of its product straight into dx (col2im fused
     * into the GEMM, {@code ConvPacks.Col2imSink}) instead of writing dcols and reading it back:
     * output planes under 64 pixels that divide the register tile's width, not taken by the lane
     * permutes, with at most 512 output channels (one k-block).
     */
    public static boolean fusesCol2im(ConvGeom g) {
        return !DenseConv.applies(g) && g.C > 1 && ConvPacks.Col2imSink.applies(g);
    }

    /**
     * Whether {@link #backwardWeight} adds straight into dw: when dw is at least half as large as
     * dOut (pixels × images ≤ 2 × channels), or when K is at most two register strips' rows.
     */
    public static boolean directWeightGradient(ConvGeom g) {
        return g.C * g.KH * g.KW <= 2 * Gemm.MR || (long) g.N * g.OH * g.OW <= 2L * g.OC;
    }

    /**
     * Rows of dwᵀ read per pass: their cache lines stay in L1 while {@code oc} walks along them.
     */
    private static final int TRANSPOSE_BLOCK = 64;

    /**
     * {@code dw[oc, k0 + k] += dwT[k, oc]}, in blocks of {@link #TRANSPOSE_BLOCK} rows of dwᵀ,
     * eight rows of dw at a time (as {@code ConvPacks.transpose}): each k reads eight adjacent
     * floats of dwᵀ and adds them into eight streams.
     */
    static void addTransposed(float[] dw, int K, int k0, float[] dwT, int Kr, int OC) {
        addTransposed(dw, K, k0, dwT, 0, Kr, OC);
    }

    /** {@link #addTransposed} with dwᵀ at {@code tOff} of its array. */
    static void addTransposed(float[] dw, int K, int k0, float[] dwT, int tOff, int Kr, int OC) {
        for (int kb = 0; kb < Kr; kb += TRANSPOSE_BLOCK) {
            int kEnd = Math.min(Kr, kb + TRANSPOSE_BLOCK), oc = 0;
            for (; oc + 8 <= OC; oc += 8) {
                int r0 = oc * K + k0, r1 = r0 + K, r2 = r1 + K, r3 = r2 + K;
                int r4 = r3 + K, r5 = r4 + K, r6 = r5 + K, r7 = r6 + K;
                for (int k = kb; k < kEnd; k++) {
                    int s = tOff + k * OC + oc;
                    dw[r0 + k] += dwT[s];
                    dw[r1 + k] += dwT[s + 1];
                    dw[r2 + k] += dwT[s + 2];
                    dw[r3 + k] += dwT[s + 3];
                    dw[r4 + k] += dwT[s + 4];
                    dw[r5 + k] += dwT[s + 5];
                    dw[r6 + k] += dwT[s + 6];
                    dw[r7 + k] += dwT[s + 7];
                }
            }
            for (; oc < OC; oc++) {
                int row = oc * K + k0;
                for (int k = kb; k < kEnd; k++) dw[row + k] += dwT[tOff + k * OC + oc];
            }
        }
    }

    /** {@code dst[d..d+n) += src[s..s+n)}. */
    static void add(float[] dst, int d, float[] src, int s, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(F, dst, d + i)
                    .add(FloatVector.fromArray(F, src, s + i))
                    .intoArray(dst, d + i);
        }
        for (; i < n; i++) dst[d + i] += src[s + i];
    }

    /**
     * {@code out[n, oc, ·] += b[oc]} for images [nLo, nHi) and channels [ocLo, ocHi) of an (N, OC,
     * P) output.
     */
    static void addBias(
            float[] out, float[] b, int OC, int P, int nLo, int nHi, int ocLo, int ocHi) {
        for (int n = nLo; n < nHi; n++)
            for (int oc = ocLo; oc < ocHi; oc++) addScalar(out, (n * OC + oc) * P, b[oc], P);
    }

    /** {@code dst[d..d+n) += v}. */
    static void addScalar(float[] dst, int d, float v, int n) {
        int i = 0;
        FloatVector bv = FloatVector.broadcast(F, v);
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(F, dst, d + i).add(bv).intoArray(dst, d + i);
        }
        for (; i < n; i++) dst[d + i] += v;
    }

    /** {@code Σ a[off..off+n)}. */
    static float sum(float[] a, int off, int n) {
        int i = 0;
        float s = 0f;
        if (n >= 2 * L) {
            FloatVector acc = FloatVector.zero(F);
            for (int bound = F.loopBound(n); i < bound; i += L)
                acc = acc.add(FloatVector.fromArray(F, a, off + i));
            s = Simd.sumLanes(acc);
        }
        for (; i < n; i++) s += a[off + i];
        return s;
    }
}
