package org.cladec.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.cladec.engine.kernels.ConvGeom;
import org.cladec.engine.kernels.ConvKernels;
import org.cladec.engine.kernels.ConvKernels.Shared;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.kernels.ScalarConvKernels;
import org.cladec.engine.parallel.Parallel;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.cladec.testing.Close;
import org.junit.jupiter.api.Test;

/**
 * Convolutions and transposed convolutions through the pool give what one thread gives, bit for bit
 * (output, dx, dw, db), on the small planes whose kernels share a form of the weights among the
 * parts of a call ({@code ConvKernels.Shared}) and split the weight gradient by output or by input
 * channels, with batches that do not halve evenly.
 */
class ConvSplitTest {
    /** {N, C, H, W, OC, K, stride, padding}: convolutions. */
    static final int[][] CONVS = {
        {67, 21, 4, 4, 37, 3, 2, 1}, // forward and input gradient share the weights
        {45, 19, 4, 4, 35, 3, 1, 1}, // the weight gradient split by output channels
        {45, 16, 8, 8, 32, 3, 1, 1},
        {45, 40, 8, 8, 33, 3, 2, 1} // x 4.8 times dOut: the weight gradient split by input channels
    };

    /** {N, C, H, W, OC, K, stride, padding}: transposed convolutions (4 × 4 → 8 × 8). */
    static final int[][] TRANSPOSED = {{67, 40, 4, 4, 18, 4, 2, 1}};

    @Test
    void poolGivesOneThreadsBits() {
        for (int[][] set : new int[][][] {CONVS, TRANSPOSED})
            for (int[] sh : set) {
                boolean transposed = set == TRANSPOSED;
                float[][] one = new float[4][], pool = new float[4][];
                Parallel.serially(() -> run(sh, transposed, one));
                run(sh, transposed, pool);
                for (int i = 0; i < one.length; i++)
                    assertArrayEquals(one[i], pool[i], Arrays.toString(sh) + " " + i);
            }
    }

    /** With the SIMD kernels, the shapes above do take the shared forms and both channel splits. */
    @Test
    void theShapesShare() {
        if (Kernels.conv().sharedSize(Shared.FORWARD_WEIGHTS, geometry(CONVS[0])) == 0)
            return; // the plain-Java kernels share nothing
        assertTrue(Kernels.conv().splitsWeightGradientByOutChannels(geometry(CONVS[1])));
        assertFalse(Kernels.conv().splitsWeightGradientByOutChannels(geometry(CONVS[3])));
        int[] t = TRANSPOSED[0];
        ConvGeom g =
                ConvGeom.transposed(
                        t[0], t[1], t[2], t[3], t[4], t[5], t[5], t[6], t[6], t[7], t[7], 0, 0);
        assertTrue(Kernels.conv().sharedSize(Shared.INPUT_GRADIENT_WEIGHTS, g) > 0);
    }

    /**
     * The kernels' image grain: parts that meet on its multiples give the unsplit call's forward
     * and input gradient bit for bit, on the geometry whose input gradient fuses col2im into its
     * product (16 × 16 → 8 × 8; parts meeting elsewhere may add a pixel's sums in another order)
     * and on pixel products' small planes.
     */
    @Test
    void cutsOnTheImageGrainGiveTheUnsplitValues() {
        ConvKernels k = Kernels.conv();
        Rng r = new Rng(45);
        for (ConvGeom g :
                new ConvGeom[] {
                    ConvGeom.conv(40, 8, 16, 16, 16, 3, 3, 2, 2, 1, 1),
                    ConvGeom.conv(37, 32, 16, 16, 64, 3, 3, 2, 2, 1, 1),
                    geometry(CONVS[0]),
                    geometry(CONVS[2])
                }) {
            int grain = k.imageGrain(g);
            float[] x = Tensor.uniform(r, -1, 1, g.xSize()).toArray(),
                    w = Tensor.uniform(r, -1, 1, g.wSize()).toArray(),
                    d = Tensor.uniform(r, -1, 1, g.outSize()).toArray();
            float[] out = new float[g.outSize()], dx = new float[g.xSize()];
            k.forward(out, x, w, null, g, false, 0, g.N);
            k.backwardInput(dx, d, w, g, 0, g.N);
            for (int cut = grain; cut < g.N; cut += grain) {
                float[] o = new float[g.outSize()], p = new float[g.xSize()];
                k.forward(o, x, w, null, g, false, 0, cut);
                k.forward(o, x, w, null, g, false, cut, g.N);
                k.backwardInput(p, d, w, g, 0, cut);
                k.backwardInput(p, d, w, g, cut, g.N);
                assertArrayEquals(out, o, "forward " + g + " cut at " + cut);
                assertArrayEquals(dx, p, "input gradient " + g + " cut at " + cut);
            }
        }
    }

    /** {N, C, H, W, OC, K, stride, padding}: weight gradients by chunks of images. */
    static final int[][] BY_IMAGES = {
        {75, 8, 16, 16, 16, 3, 2, 1}, // im2col (the 16 × 16 → 8 × 8 layers): four chunks of 18–19
        {131, 24, 8, 8, 40, 3, 2, 1}, // pixel products: two chunks, of 65 and 66 images
        {257, 17, 8, 8, 33, 3, 1, 1} // four chunks
    };

    /**
     * The weight gradient by chunks of images (im2col's 16 × 16 → 8 × 8 layers, pixel products'
     * where the partial sums are small): chunks computed in any parts and their sums added in any
     * parts of dw's columns give the same bits, close to the plain-Java kernel's; through the op
     * the pool gives one thread's bits.
     */
    @Test
    void weightGradientByImageChunks() {
        ConvKernels k = Kernels.conv();
        for (int[] sh : BY_IMAGES) {
            ConvGeom g = geometry(sh);
            if (k instanceof ScalarConvKernels) { // the plain-Java kernels split by channels
                assertFalse(k.splitsWeightGradientByImages(g), g.toString());
                continue;
            }
            assertTrue(k.splitsWeightGradientByImages(g), g.toString());
            int K = g.C * g.KH * g.KW, chunks = k.weightGradientChunks(g);
            assertTrue(chunks > 1, "chunks: " + chunks);
            assertEquals(1, Integer.bitCount(chunks), "equal shares for 2 or 4 threads: " + chunks);
            Rng r = new Rng(46);
            float[] x = Tensor.uniform(r, -1, 1, g.xSize()).toArray(),
                    d = Tensor.uniform(r, -1, 1, g.outSize()).toArray(),
                    init = Tensor.uniform(r, -1, 1, g.wSize()).toArray();
            float[] want = init.clone();
            new ScalarConvKernels().backwardWeight(want, d, x, g, 0, g.C);
            float[] first = null;
            for (int[] cuts : new int[][] {{0, chunks}, {0, 1, chunks}, {0, chunks - 1, chunks}}) {
                float[] parts = new float[chunks * K * g.OC], dw = init.clone();
                java.util.Arrays.fill(parts, Float.NaN); // every partial is written, not added to
                for (int i = 0; i + 1 < cuts.length; i++)
                    k.weightGradientChunks(parts, d, x, g, cuts[i], cuts[i + 1]);
                k.addWeightGradientChunks(dw, parts, g, 0, 5);
                k.addWeightGradientChunks(dw, parts, g, 5, K);
                Close.assertClose(want, dw, 1e-4, 1e-4, g + ": against the plain kernel");
                if (first == null) first = dw;
                else assertArrayEquals(first, dw, g + ": chunks cut at " + Arrays.toString(cuts));
            }
            float[][] one = new float[4][], pool = new float[4][];
            Parallel.serially(() -> run(sh, false, one));
            run(sh, false, pool);
            for (int i = 0; i < one.length; i++)
                assertArrayEquals(one[i], pool[i], g + ": through the op " + i);
        }
    }

    private static ConvGeom geometry(int[] s) {
        return ConvGeom.conv(s[0], s[1], s[2], s[3], s[4], s[5], s[5], s[6], s[6], s[7], s[7]);
    }

    /** out, dx, dw, db of a forward and backward pass. */
    private static void run(int[] sh, boolean transposed, float[][] into) {
        int N = sh[0], C = sh[1], H = sh[2], W = sh[3], OC = sh[4], K = sh[5];
        Rng r = new Rng(43);
        Tensor x = Tensor.uniform(r, -1, 1, N, C, H, W).setRequiresGrad(true);
        Tensor w =
                (transposed
                                ? Tensor.uniform(r, -1, 1, C, OC, K, K)
                                : Tensor.uniform(r, -1, 1, OC, C, K, K))
                        .setRequiresGrad(true);
        Tensor b = Tensor.uniform(r, -1, 1, OC).setRequiresGrad(true);
        Tensor out =
                transposed
                        ? F.convTranspose2d(x, w, b, sh[6], sh[7], 0)
                        : F.conv2d(x, w, b, sh[6], sh[7]);
        Tensor weights = Tensor.uniform(new Rng(44), -1, 1, out.shape());
        F.sum(F.mul(out, weights)).backward();
        into[0] = out.toArray();
        into[1] = x.grad().toArray();
        into[2] = w.grad().toArray();
        into[3] = b.grad().toArray();
    }
}
