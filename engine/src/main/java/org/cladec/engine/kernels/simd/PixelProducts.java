package org.cladec.engine.kernels.simd;

import static org.cladec.engine.kernels.simd.Gemm.NR4;
import static org.cladec.engine.kernels.simd.Simd.F;
import static org.cladec.engine.kernels.simd.Simd.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import org.cladec.engine.kernels.ConvGeom;
import org.cladec.engine.kernels.ConvKernels;

/**
 * Convolutions over small planes by one product per linked pair of pixels, so that taps which fall
 * into the padding are never multiplied.
 *
 * <p>im2col multiplies every output pixel by all KH·KW taps and the padding's zeros with them. On
 * the decoder's 2 × 2 → 4 × 4 transposed convolution (the input gradient of a 4 × 4 → 2 × 2
 * convolution, kernel 4) that is 7 of every 16 taps, 44% of its products; on the 4 × 4 → 8 × 8 one
 * 23%, on the classifier's 4 × 4 layers 31%, its 8 × 8 layers 16%. Here the (output pixel p, tap t,
 * input pixel q) triples that link two pixels inside the planes are listed once per call ({@link
 * #pairs}), and each is one GEMM with a chunk's images as its columns:
 *
 * <pre>
 *   forward          out[n, :, p] = Σ_{(t, q) linking p}  W_t (OC, C) · x_q (C, n)
 *   input gradient   dx[n, :, q] += Σ_{(t, p) linking q}  W_tᵀ (C, OC) · dOut_p (OC, n)
 *   weight gradient  dw[:, :, t] += Σ_{(p, q) linked by t} dOut_p (OC, n) · x_q (n, C)
 * </pre>
 *
 * W_t is a strided view of the weights rearranged once per call (or kept across calls for a frozen
 * network, {@link Kept}); a chunk's activations are transposed once so that each pixel's (channels,
 * images) block is a plain matrix, and the sums come back into NCHW by one transpose.
 *
 * <p>Every element's terms are summed in one order whatever the chunk or the part: the pairs of a
 * pixel (or tap) in {@link #pairs}' order, each over the same k-blocks, whichever register tile
 * computes it. So results do not depend on how the images or channels are split.
 */
final class PixelProducts {
    private PixelProducts() {}

    /** Images per chunk: one panel of the 6 × 4 tile at AVX-512. */
    static final int CHUNK = NR4;

    /**
     * Whether {@code g} goes by pixel products: planes of at most 64 input and 64 output pixels,
     * not the dense form's, where at least an eighth of im2col's taps read the padding, with enough
     * channels on both sides for the register tile (C rows or columns, OC deep or wide). ConvBench
     * on the classifier's and decoder's shapes: the 2 × 2, 4 × 4 and 8 × 8 planes gain (the 8 × 8
     * stride-1 layer, 16% padding, about evenly); the 16 × 16 planes, with 256 pixels to a group of
     * small products, lose 25–40%.
     */
    static boolean applies(ConvGeom g) {
        long OHW = (long) g.OH * g.OW, KK = (long) g.KH * g.KW;
        if (DenseConv.applies(g) || g.C < 16 || g.OC < 32 || OHW > 64 || g.H * g.W > 64)
            return false;
        return 8 * linkedPairs(g) <= 7 * KK * OHW;
    }

    /**
     * Whether {@code g}'s forward and input gradient split over channels rather than images: where
     * the weights outweigh the activations, whose parts each thread would otherwise rearrange in
     * full (the decoder's 2 × 2 → 4 × 4 layer: 2M weights, 0.8M activations at batch 128). Each
     * part then rearranges only its channels' weights and transposes every image's activations.
     */
    static boolean splitsByChannels(ConvGeom g) {
        long weights = (long) g.OC * g.C * g.KH * g.KW;
        return applies(g) && weights > (long) g.N * (g.C * g.H * g.W + g.OC * g.OH * g.OW);
    }

    /** (output pixel, tap) pairs whose input pixel lies inside the plane. */
    static long linkedPairs(ConvGeom g) {
        return (long) inside(g.OH, g.KH, g.SH, g.PH, g.H) * inside(g.OW, g.KW, g.SW, g.PW, g.W);
    }

    /** Along one axis: the (output, tap) pairs that read inside [0, size). */
    private static int inside(int out, int k, int stride, int pad, int size) {
        int n = 0;
        for (int o = 0; o < out; o++)
            for (int t = 0; t < k; t++) {
                int i = o * stride + t - pad;
                if (i >= 0 && i < size) n++;
            }
        return n;
    }

    /** How {@link #pairs} groups the linked pairs. */
    private enum By {
        INPUT_PIXEL,
        OUTPUT_PIXEL,
        TAP
    }

    /**
     * The linked (output pixel p, tap t, input pixel q) triples grouped by one of them, in scratch
     * table 1: group i's are {@code table[i] .. table[i + 1]}, triple j is {@code (table[G + 1 +
     * 2j], table[G + 2 + 2j])}, G the number of groups: (t, p) by input pixel, (t, q) by output
     * pixel, (p, q) by tap. Taps in order, then output pixels.
     */
    private static int[] pairs(ConvGeom g, By by, Gemm.Scratch s) {
        final int HW = g.H * g.W, OHW = g.OH * g.OW, KK = g.KH * g.KW;
        final int groups = by == By.INPUT_PIXEL ? HW : by == By.OUTPUT_PIXEL ? OHW : KK;
        final int base = groups + 1;
        int[] src = ConvPacks.sources(g, s); // src[t·OHW + p]: the input pixel, or −1
        int[] table = s.ints(1, base + 2 * (int) linkedPairs(g));
        Arrays.fill(table, 0, base, 0);
        for (int pass = 0; pass < 2; pass++) { // count each group's triples, then place them
            for (int t = 0; t < KK; t++)
                for (int p = 0; p < OHW; p++) {
                    int q = src[t * OHW + p];
                    if (q < 0) continue;
                    int group = by == By.INPUT_PIXEL ? q : by == By.OUTPUT_PIXEL ? p : t;
                    if (pass == 0) {
                        table[group + 1]++;
                        continue;
                    }
                    int j = table[group]++; // group's start moves on as it fills
                    table[base + 2 * j] = by == By.TAP ? p : t;
                    table[base + 2 * j + 1] = by == By.INPUT_PIXEL ? p : q;
                }
            if (pass == 0) for (int i = 0; i < groups; i++) table[i + 1] += table[i];
        }
        // each group's start has moved to the next one's: move the starts back
        System.arraycopy(table, 0, table, 1, groups);
        table[0] = 0;
        return table;
    }

    /**
     * {@code out (=|+=) conv(x, w)} for images [nLo, nHi) and output channels [ocLo, ocHi): per
     * output pixel p, {@code out[n, :, p] = Σ_{(q, t) linking p} W_t (channels, C) · x_q (C, n)},
     * W_t from the part's weights rearranged once per call into one matrix per tap, or with {@code
     * keep} (inference, a frozen network) kept from the last call with these weights ({@link
     * Kept}).
     */
    static void forward(
            float[] out,
            float[] x,
            float[] w,
            ConvGeom g,
            boolean accumulate,
            int nLo,
            int nHi,
            int ocLo,
            int ocHi,
            boolean keep,
            Gemm.Scratch s) {
        if (nHi <= nLo || ocHi <= ocLo) return;
        float[] a = arranged(w, g, true, ocLo, ocHi, keep, s); // a[(t·M + oc − ocLo)·C + c]
        forwardArranged(out, x, a, g, accumulate, nLo, nHi, ocLo, ocHi, s);
    }

    /**
     * {@link #forward} with the part's weights already rearranged, {@code a[(t·M + oc − ocLo)·C +
     * c]} (M = ocHi − ocLo): by this part, or once for every image part ({@link #share}).
     */
    static void forwardArranged(
            float[] out,
            float[] x,
            float[] a,
            ConvGeom g,
            boolean accumulate,
            int nLo,
            int nHi,
            int ocLo,
            int ocHi,
            Gemm.Scratch s) {
        final int C = g.C, OC = g.OC, HW = g.H * g.W, OHW = g.OH * g.OW;
        final int M = ocHi - ocLo;
        if (nHi <= nLo || M <= 0) return;
        int[] table = pairs(g, By.OUTPUT_PIXEL, s);
        for (int n0 = nLo; n0 < nHi; n0 += CHUNK) {
            int cnt = Math.min(CHUNK, nHi - n0);
            // the chunk's x transposed, xt[(c·HW + q)·cnt + n]: x_q is rows HW·cnt apart
            float[] xt = s.temp(C * HW * cnt);
            ConvPacks.transpose(xt, 0, cnt, x, n0 * C * HW, C * HW, cnt, C * HW);
            // the part of the chunk's out, transposed: block[((oc − ocLo)·OHW + p)·cnt + n]
            float[] block = s.temp3(M * OHW * cnt);
            sumPairs(block, table, OHW, M, cnt, a, M * C, C, xt, HW * cnt, C, s);
            int R = OC * OHW, at = n0 * R + ocLo * OHW;
            if (accumulate) SimdConvKernels.addTransposed(out, R, at, block, M * OHW, cnt);
            else ConvPacks.transpose(out, at, R, block, 0, cnt, M * OHW, cnt);
        }
    }

    /**
     * The weights of output channels [lo, hi) rearranged for the forward pass, {@code a[(t·M + oc −
     * lo)·C + c]}, or of input channels [lo, hi) for the input gradient, {@code a[((c − lo)·KK +
     * t)·OC + oc]}: into scratch, or with {@code keep} from the thread's {@link Kept} copies.
     */
    private static float[] arranged(
            float[] w, ConvGeom g, boolean forward, int lo, int hi, boolean keep, Gemm.Scratch s) {
        if (keep) return s.kept(w, g, lo, hi, forward, Kept.class, Kept::new).current(w);
        float[] a = s.temp2((hi - lo) * (forward ? g.C : g.OC) * g.KH * g.KW);
        arrange(a, w, g, forward, lo, hi);
        return a;
    }

    /**
     * Floats of the form {@code what} that every part of g's call reads whole, or 0: forward's and
     * the input gradient's rearranged weights where those split by images (each image part
     * rearranged all of them: on one thread, the classifier's 4 × 4 → 2 × 2 layer's two halves took
     * 13% longer than one call).
     */
    static int sharedSize(ConvKernels.Shared what, ConvGeom g) {
        return applies(g) && !splitsByChannels(g) ? g.OC * g.C * g.KH * g.KW : 0;
    }

    /**
     * Part {@code [lo, hi)} of a form of {@link #sharedSize}: forward's weights for output channels
     * [lo, hi), {@code a[(t·OC + oc)·C + c]}; the input gradient's for input channels [lo, hi),
     * {@code a[(c·KK + t)·OC + oc]}. The same arrays {@link #forward} and {@link #backwardInput}
     * derive for a part with every channel.
     */
    static void share(
            ConvKernels.Shared what, float[] shared, float[] from, ConvGeom g, int lo, int hi) {
        final int C = g.C, OC = g.OC, KK = g.KH * g.KW, M = hi - lo;
        if (what == ConvKernels.Shared.FORWARD_WEIGHTS)
            ConvPacks.transpose(shared, lo * C, OC * C, from, lo * C * KK, KK, M * C, KK);
        else ConvPacks.transpose(shared, lo * KK * OC, OC, from, lo * KK, C * KK, OC, M * KK);
    }

    /** {@link #arranged}'s rearrangement, into {@code a}. */
    private static void arrange(float[] a, float[] w, ConvGeom g, boolean forward, int lo, int hi) {
        final int C = g.C, OC = g.OC, KK = g.KH * g.KW, M = hi - lo;
        if (forward) ConvPacks.transpose(a, 0, M * C, w, lo * C * KK, KK, M * C, KK);
        else ConvPacks.transpose(a, 0, OC, w, lo * KK, C * KK, OC, M * KK);
    }

    /**
     * A part of the weights rearranged by {@link #arranged} and kept, as {@link KeptWeights} says,
     * for the next call with weights that do not change (inference, a frozen classifier
     * differentiated into its input, as ClaDec's loss does). Each thread rearranged the
     * classifier's small-plane weights in every call: about 3% of a ClaDec step at two threads.
     */
    static final class Kept extends KeptWeights {
        private float[] arranged = new float[0];

        /** The rearranged part, current with w. */
        float[] current(float[] w) {
            if (!unchanged(w)) {
                if (arranged.length < derivedFloats()) arranged = new float[(int) derivedFloats()];
                arrange(arranged, w, g, rows, lo, hi);
            }
            return arranged;
        }

        @Override
        long derivedFloats() {
            return (long) (hi - lo) * (rows ? g.C : g.OC) * g.KH * g.KW;
        }

        @Override
        long derivedSize() {
            return arranged.length;
        }

        @Override
        void releaseDerived() {
            arranged = new float[0];
        }
    }

    /** Images per chunk of the weight gradient's reduction: a whole number of k-blocks. */
    static final int WEIGHT_CHUNK = 2 * Gemm.KC;

    /**
     * Whether {@code g}'s weight gradient splits over output channels rather than input channels:
     * unless x is more than four times dOut. Each part transposes its own channels' rows of one
     * operand and all of the other, and its products have all the other operand's channels as
     * columns. Split by input channels, the columns halve (on the classifier's 8 × 8 stride-1
     * layer, 32-channel halves of 64 made products too narrow for the 6 × 4 tile: two threads took
     * 0.7 of one thread's time instead of 0.5), and every part transposes all of dOut. One JVM,
     * calls alternated, two threads, batch 128, output channels against input channels: the
     * decoder's 8 × 8 → 4 × 4 and 4 × 4 → 2 × 2 layers as convolutions (x twice dOut) 0.78–1.09 and
     * 0.82–0.91 of the time, the classifier's 4 × 4 → 2 × 2 layer (x four times dOut) 0.89–0.94;
     * with x eight times dOut 1.00, sixteen times 1.06–1.12. One thread: the same. (From batch 128
     * the classifier's 8 × 8 layers go by chunks of images, {@link #splitsWeightGradientByImages},
     * which the convolution op asks first.)
     */
    static boolean splitsWeightGradientByOutChannels(ConvGeom g) {
        return applies(g) && (long) g.C * g.H * g.W <= 4L * g.OC * g.OH * g.OW;
    }

    /**
     * {@code dw[oc, c, :, :] += d(Σ out·dOut)/dw[oc, c, :, :]} for output channels [ocLo, ocHi) and
     * input channels [cLo, cHi): per tap t, {@code dW_t (oc, c) = Σ_{(p, q) linked by t} dOut_p
     * (oc, n) · x_q (n, c)}, over all images in chunks that depend only on the batch, into one
     * (output channels, input channels) block per tap that is then added into dw. Every element is
     * summed in the same order whatever the part.
     */
    static void backwardWeight(
            float[] dw,
            float[] dOut,
            float[] x,
            ConvGeom g,
            int cLo,
            int cHi,
            int ocLo,
            int ocHi,
            Gemm.Scratch s) {
        if (cHi <= cLo || ocHi <= ocLo) return;
        float[] gt = tapProducts(dOut, x, g, 0, g.N, cLo, cHi, ocLo, ocHi, s);
        addTaps(dw, 0, true, gt, g.C, g.KH * g.KW, cLo, cHi - cLo, ocLo, ocHi - ocLo, s);
    }

    /** The fewest images per chunk of a weight gradient split by images. */
    static final int IMAGE_CHUNK = 64;

    /**
     * Whether {@code g}'s weight gradient goes by chunks of images ({@link #weightGradientChunks}),
     * each into a partial dw of its own, rather than by input or output channels: where a partial
     * dw is at most half of {@link #IMAGE_CHUNK} images' x and dOut together, so that writing and
     * adding it costs little against the chunk's products. Split by channels, each part reads every
     * image, half of them written by the other core, and transposes all of one operand. One JVM,
     * calls alternated, the classifier's layers at batch 128, two threads, image chunks against the
     * channel split (the same path against itself read 0.90–0.97): 8 × 8 → 4 × 4 (partial 0.22 of a
     * chunk's activations) 0.77–0.85 of the time, 8 × 8 stride 1 (0.09) 0.89–0.97; 4 × 4 stride 1
     * (0.75) 0.96–1.05 and 4 × 4 → 2 × 2 (1.8) 0.99–1.10, where one thread took 1–23% longer.
     */
    static boolean splitsWeightGradientByImages(ConvGeom g) {
        long partial = (long) g.OC * g.C * g.KH * g.KW;
        return applies(g)
                && g.N >= 2 * IMAGE_CHUNK
                && 2 * partial <= (long) IMAGE_CHUNK * (g.C * g.H * g.W + g.OC * g.OH * g.OW);
    }

    /**
     * The chunks of {@link #splitsWeightGradientByImages}: a power of two, of {@link #IMAGE_CHUNK}
     * to 2·IMAGE_CHUNK − 1 images each (sizes differing by at most one), so that one, two or four
     * threads get equal shares (three chunks, of 64, 64 and 2 images at batch 130, left two threads
     * 128 images against 2). They depend on g alone.
     */
    static int weightGradientChunks(ConvGeom g) {
        return Integer.highestOneBit(g.N / IMAGE_CHUNK);
    }

    /**
     * Chunk j's partial weight gradient, images {@code [j·N/J, (j + 1)·N/J)} of J chunks, into
     * {@code partial[off ...]} laid out as dw (OC, C, KH, KW), replacing what was there.
     */
    static void weightGradientChunk(
            float[] partial, int off, float[] dOut, float[] x, ConvGeom g, int j, Gemm.Scratch s) {
        int J = weightGradientChunks(g);
        int n0 = SimdConvKernels.chunkStart(j, g.N, J),
                n1 = SimdConvKernels.chunkStart(j + 1, g.N, J);
        float[] gt = tapProducts(dOut, x, g, n0, n1, 0, g.C, 0, g.OC, s);
        addTaps(partial, off, false, gt, g.C, g.KH * g.KW, 0, g.C, 0, g.OC, s);
    }

    /**
     * The per-tap blocks of the weight gradient over images [nLo, nHi), for output channels [ocLo,
     * ocHi) and input channels [cLo, cHi): {@code gt[(t·Mo + oc − ocLo)·Cp + c − cLo] = Σ_{(p, q)
     * linked by t} dOut_p (oc, n) · x_q (n, c)}, in scratch; a tap no pair reaches gets zeros. The
     * images in chunks of {@link #WEIGHT_CHUNK} from nLo, every element summed in one order
     * whatever the channel part.
     */
    private static float[] tapProducts(
            float[] dOut,
            float[] x,
            ConvGeom g,
            int nLo,
            int nHi,
            int cLo,
            int cHi,
            int ocLo,
            int ocHi,
            Gemm.Scratch s) {
        final int C = g.C, OC = g.OC, HW = g.H * g.W, OHW = g.OH * g.OW;
        final int KK = g.KH * g.KW, Cp = cHi - cLo, Mo = ocHi - ocLo, base = KK + 1;
        int[] table = pairs(g, By.TAP, s);
        Rows rows = s.pixelRows;
        float[] gt = s.temp3(KK * Mo * Cp); // gt[(t·Mo + oc − ocLo)·Cp + c − cLo]
        for (int n0 = nLo; n0 < nHi; n0 += WEIGHT_CHUNK) {
            int cnt = Math.min(WEIGHT_CHUNK, nHi - n0);
            // the part's rows of dOut transposed, d[((oc − ocLo)·OHW + p)·cnt + n]: dOut_p is rows
            // OHW·cnt apart
            float[] d = s.temp(Mo * OHW * cnt);
            ConvPacks.transpose(d, 0, cnt, dOut, (n0 * OC + ocLo) * OHW, OC * OHW, cnt, Mo * OHW);
            // the part's channels of each image, pixel-major: b[(n·HW + q)·Cp + c − cLo]
            float[] b = s.temp2(cnt * HW * Cp);
            for (int n = 0; n < cnt; n++)
                ConvPacks.transpose(b, n * HW * Cp, Cp, x, ((n0 + n) * C + cLo) * HW, HW, Cp, HW);
            for (int t = 0; t < KK; t++)
                for (int i = table[t]; i < table[t + 1]; i++) {
                    int p = table[base + 2 * i], q = table[base + 2 * i + 1];
                    Gemm.gemm(
                            gt,
                            t * Mo * Cp,
                            Cp,
                            d,
                            p * cnt,
                            OHW * cnt,
                            1,
                            rows.set(b, q * Cp, HW * Cp),
                            Mo,
                            Cp,
                            cnt,
                            n0 > nLo || i > table[t],
                            s);
                }
        }
        for (int t = 0; t < KK; t++) {
            // a tap no pair reaches adds nothing
            if (table[t] == table[t + 1]) Arrays.fill(gt, t * Mo * Cp, (t + 1) * Mo * Cp, 0f);
        }
        return gt;
    }

    /**
     * Adds chunks' partial weight gradients ({@link #weightGradientChunk}, J of them, {@code
     * partials[j·size ...]}, size = dw's) into dw, in chunk order, for the columns {@code [kLo,
     * kHi)} of every row of dw (OC, C·KH·KW). Overwrites chunk 0's partial with the sums.
     */
    static void addWeightGradientChunks(
            float[] dw, float[] partials, ConvGeom g, int kLo, int kHi) {
        final int K = g.C * g.KH * g.KW, size = g.OC * K, J = weightGradientChunks(g);
        for (int oc = 0; oc < g.OC; oc++) {
            int from = oc * K + kLo, n = kHi - kLo;
            for (int j = 1; j < J; j++)
                SimdConvKernels.add(partials, from, partials, j * size + from, n);
            SimdConvKernels.add(dw, from, partials, from, n);
        }
    }

    /**
     * {@code dw[off + (oc·C + cLo + c)·KK + t] (+=|=) gt[(t·Mo + oc − ocLo)·Cp + c]}: per output
     * channel, dw's run of L input channels' KK taps as KK vectors, each gathered from the per-tap
     * blocks by one of KK index maps (the maps repeat from run to run), the input channels past the
     * last whole run one by one. Element by element, the adds took 2.9 ms of the decoder's 2 × 2 →
     * 4 × 4 weight gradient (one thread). Gathering one weight's taps a vector at a time left 3 × 3
     * kernels' 9 taps element by element: 0.40 ms of the classifier's 4 × 4 → 2 × 2 layer's 3.2 ms,
     * against 0.23 ms as runs.
     */
    private static void addTaps(
            float[] dw,
            int off,
            boolean accumulate,
            float[] gt,
            int C,
            int KK,
            int cLo,
            int Cp,
            int ocLo,
            int Mo,
            Gemm.Scratch s) {
        final int stride = Mo * Cp, runs = Cp / L * L;
        // lane j of vector v of a run: dw's (channel, tap) = divmod(v·L + j, KK) from the run's
        // start
        int[] index = s.ints(0, KK * L);
        for (int p = 0; p < KK * L; p++) index[p] = p % KK * stride + p / KK;
        for (int oc = 0; oc < Mo; oc++) {
            int row = off + ((ocLo + oc) * C + cLo) * KK, src = oc * Cp, c = 0;
            for (; c < runs; c += L)
                for (int v = 0, at = row + c * KK; v < KK; v++, at += L) {
                    FloatVector taps = FloatVector.fromArray(F, gt, src + c, index, v * L);
                    if (accumulate) taps = taps.add(FloatVector.fromArray(F, dw, at));
                    taps.intoArray(dw, at);
                }
            for (; c < Cp; c++) {
                int at = row + c * KK, from = src + c;
                if (accumulate) for (int t = 0; t < KK; t++) dw[at + t] += gt[from + t * stride];
                else for (int t = 0; t < KK; t++) dw[at + t] = gt[from + t * stride];
            }
        }
    }

    /**
     * The products of one chunk, for forward and input gradient alike: for each pixel i of the
     * {@code pixels} on this side, {@code block[(m·pixels + i)·cnt + n] = Σ_{(t, j) paired with i}
     * A_t (M, K) · B_j (K, cnt)}, where {@code A_t(m, k) = a[t·tapStride + m·ars + k]} and {@code
     * B_j(k, n) = b[j·cnt + k·ldb + n]} (j a pixel on the other side). The pairs of a pixel are
     * summed in {@link #pairs}' order; a pixel with none gets zeros.
     */
    private static void sumPairs(
            float[] block,
            int[] table,
            int pixels,
            int M,
            int cnt,
            float[] a,
            int tapStride,
            int ars,
            float[] b,
            int ldb,
            int K,
            Gemm.Scratch s) {
        final int base = pixels + 1;
        for (int i = 0; i < pixels; i++) {
            if (table[i] == table[i + 1])
                for (int m = 0; m < M; m++) {
                    int o = (m * pixels + i) * cnt;
                    Arrays.fill(block, o, o + cnt, 0f);
                }
            for (int e = table[i]; e < table[i + 1]; e++) {
                int t = table[base + 2 * e], j = table[base + 2 * e + 1];
                Gemm.gemm(
                        block,
                        i * cnt,
                        pixels * cnt,
                        a,
                        t * tapStride,
                        ars,
                        1,
                        s.pixelRows.set(b, j * cnt, ldb),
                        M,
                        cnt,
                        K,
                        e > table[i],
                        s);
            }
        }
    }

    /**
     * {@code dx += d(Σ out·dOut)/dx} for images [nLo, nHi) and input channels [cLo, cHi), as the
     * class comment says; with {@code keep} (a frozen network) the rearranged weights are kept for
     * the next call ({@link Kept}).
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
        if (nHi <= nLo || cHi <= cLo) return;
        // the part's columns of w transposed, a[((c − cLo)·KK + t)·OC + oc]: W_t's rows KK·OC apart
        float[] a = arranged(w, g, false, cLo, cHi, keep, s);
        backwardInputArranged(dx, dOut, a, g, nLo, nHi, cLo, cHi, s);
    }

    /**
     * {@link #backwardInput} with the part's weights already rearranged, {@code a[((c − cLo)·KK +
     * t)·OC + oc]}: by this part, or once for every image part ({@link #share}).
     */
    static void backwardInputArranged(
            float[] dx,
            float[] dOut,
            float[] a,
            ConvGeom g,
            int nLo,
            int nHi,
            int cLo,
            int cHi,
            Gemm.Scratch s) {
        final int C = g.C, OC = g.OC, HW = g.H * g.W, OHW = g.OH * g.OW, KK = g.KH * g.KW;
        final int M = cHi - cLo;
        if (nHi <= nLo || M <= 0) return;
        int[] table = pairs(g, By.INPUT_PIXEL, s);
        for (int n0 = nLo; n0 < nHi; n0 += CHUNK) {
            int cnt = Math.min(CHUNK, nHi - n0);
            // the chunk's dOut transposed, d[(oc·OHW + p)·cnt + n]: dOut_p is rows OHW·cnt apart
            float[] d = s.temp(OHW * OC * cnt);
            ConvPacks.transpose(d, 0, cnt, dOut, n0 * OC * OHW, OC * OHW, cnt, OC * OHW);
            // the part of the chunk's dx, transposed: block[((c − cLo)·HW + q)·cnt + n]
            float[] block = s.temp3(M * HW * cnt);
            sumPairs(block, table, HW, M, cnt, a, OC, KK * OC, d, OHW * cnt, OC, s);
            int R = C * HW;
            SimdConvKernels.addTransposed(dx, R, n0 * R + cLo * HW, block, M * HW, cnt);
        }
    }

    /** {@link Gemm.RowMajor} that also hands out the 6 × 4 tile's whole 64-column panels. */
    static final class Rows extends Gemm.RowMajor implements Gemm.WidePack {
        @Override
        Rows set(float[] b, int off, int ld) {
            super.set(b, off, ld);
            return this;
        }

        @Override
        public void packWide(float[] dst, int dOff, int k0, int kc, int j0) {
            for (int kk = 0; kk < kc; kk++)
                System.arraycopy(b, off + (k0 + kk) * ld + j0, dst, dOff + kk * NR4, NR4);
        }
    }
}
