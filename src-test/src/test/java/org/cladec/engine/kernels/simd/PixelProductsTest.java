package org.cladec.engine.kernels.simd;

import static org.cladec.testing.Close.assertClose;
import static org.cladec.testing.RandomArrays.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import org.cladec.engine.kernels.ConvGeom;
import org.cladec.engine.kernels.ConvKernels.Shared;
import org.cladec.engine.kernels.ScalarConvKernels;
import org.cladec.engine.tensor.Rng;
import org.cladec.testing.Fixtures;
import org.junit.jupiter.api.Test;

/**
 * The forward pass, input gradient and weight gradient by one product per pixel or tap ({@code
 * PixelProducts}), which multiply only the (output pixel, tap) pairs that read inside the plane.
 * Against the plain-Java kernel on small planes with odd channel counts (rows that leave the
 * register tile's last strip part empty), batches of 1, 67 and 130 images (chunks of 64 and a
 * partial one), a plane with pixels no tap reads, dx that already holds values; and bit for bit
 * however the images are split, so that a chunk's columns computed by the 64-column tile or by the
 * narrower ones sum alike.
 */
class PixelProductsTest {
    private static List<ConvGeom> geometries(int n) {
        return List.of(
                ConvGeom.transposed(n, 33, 2, 2, 17, 4, 4, 2, 2, 1, 1, 0, 0), // 4×4 → 2×2, kernel 4
                ConvGeom.transposed(n, 40, 4, 4, 18, 4, 4, 2, 2, 1, 1, 0, 0), // 8×8 → 4×4
                ConvGeom.conv(n, 19, 4, 4, 35, 3, 3, 1, 1, 1, 1),
                ConvGeom.conv(n, 21, 4, 4, 37, 3, 3, 2, 2, 1, 1),
                ConvGeom.conv(n, 17, 8, 8, 33, 3, 3, 2, 2, 1, 1), // 16% of the taps in padding
                ConvGeom.conv(n, 16, 8, 8, 32, 3, 3, 1, 1, 1, 1), // 64 output pixels
                ConvGeom.conv(n, 16, 5, 5, 32, 2, 2, 3, 3, 1, 1), // rows/columns 1 and 4 unread
                ConvGeom.conv(n, 40, 8, 8, 33, 3, 3, 2, 2, 1, 1)); // x 4.8 times dOut
    }

    @Test
    void countsTheLinkedPairs() {
        // 4×4 → 2×2, kernel 4, stride 2, padding 1: each output pixel reads 3 × 3 of its 16 taps
        assertEquals(
                4 * 9, PixelProducts.linkedPairs(ConvGeom.conv(1, 2, 4, 4, 3, 4, 4, 2, 2, 1, 1)));
        // 8×8 → 4×4: per axis 1 + 2 + ... + 2 + 1 = 14 of 16 pairs
        assertEquals(
                14 * 14, PixelProducts.linkedPairs(ConvGeom.conv(1, 2, 8, 8, 3, 4, 4, 2, 2, 1, 1)));
    }

    @Test
    void takesTheSmallPlanesWithPaddingToSkip() {
        for (ConvGeom g : geometries(3)) assertTrue(PixelProducts.applies(g), g.toString());
        // the decoder's 2×2 → 4×4 and 4×4 → 8×8 and the classifier's 4×4 layers, batch 128
        assertTrue(
                PixelProducts.applies(
                        ConvGeom.transposed(128, 512, 2, 2, 256, 4, 4, 2, 2, 1, 1, 0, 0)));
        assertTrue(
                PixelProducts.applies(
                        ConvGeom.transposed(128, 256, 4, 4, 128, 4, 4, 2, 2, 1, 1, 0, 0)));
        assertTrue(PixelProducts.applies(ConvGeom.conv(128, 128, 4, 4, 256, 3, 3, 1, 1, 1, 1)));
        assertTrue(PixelProducts.applies(ConvGeom.conv(128, 256, 4, 4, 256, 3, 3, 2, 2, 1, 1)));
        // the classifier's 8×8 layers: 16% of the taps read padding
        assertTrue(PixelProducts.applies(ConvGeom.conv(128, 64, 8, 8, 128, 3, 3, 1, 1, 1, 1)));
        assertTrue(PixelProducts.applies(ConvGeom.conv(128, 128, 8, 8, 128, 3, 3, 2, 2, 1, 1)));
        // 16×16 input planes (the 8×8 → 16×16 layer, 12% padding); no padding at all; the dense
        // form's planes
        assertFalse(
                PixelProducts.applies(
                        ConvGeom.transposed(128, 128, 8, 8, 64, 4, 4, 2, 2, 1, 1, 0, 0)));
        assertFalse(PixelProducts.applies(ConvGeom.conv(4, 32, 4, 4, 64, 3, 3, 1, 1, 0, 0)));
        assertFalse(PixelProducts.applies(ConvGeom.conv(4, 64, 2, 2, 128, 3, 3, 1, 1, 1, 1)));
    }

    @Test
    void matchesThePlainKernel() {
        Rng r = new Rng(21);
        ScalarConvKernels plain = new ScalarConvKernels();
        SimdConvKernels simd = new SimdConvKernels();
        for (int n : new int[] {1, 67, 130})
            for (ConvGeom g : geometries(n)) {
                float[] d = uniform(r, g.outSize()), w = uniform(r, g.wSize());
                float[] init = uniform(r, g.xSize());
                float[] want = init.clone(), got = init.clone();
                plain.backwardInput(want, d, w, g, 0, g.N);
                simd.backwardInput(got, d, w, g, 0, g.N);
                assertClose(want, got, 1e-5, 1e-4, "backwardInput " + g);
                float[] x = uniform(r, g.xSize()), b = uniform(r, g.OC);
                for (boolean acc : new boolean[] {false, true}) {
                    float[] wantOut = d.clone(), gotOut = d.clone();
                    plain.forward(wantOut, x, w, b, g, acc, 0, g.N);
                    simd.forward(gotOut, x, w, b, g, acc, 0, g.N);
                    assertClose(wantOut, gotOut, 1e-5, 1e-4, "forward " + acc + " " + g);
                }
                float[] wantW = w.clone(), gotW = w.clone();
                plain.backwardWeight(wantW, d, x, g, 0, g.C);
                simd.backwardWeight(gotW, d, x, g, 0, g.C);
                assertClose(wantW, gotW, 1e-4, 1e-4, "backwardWeight " + g);
            }
    }

    /**
     * The inference path (the eval-mode batch norm and ReLU folded into the convolution) gives the
     * convolution followed by the separate kernel, bit for bit.
     */
    @Test
    void foldsScaleShiftAndReluAsTheSeparateKernel() {
        Rng r = new Rng(24);
        SimdConvKernels simd = new SimdConvKernels();
        for (ConvGeom g : geometries(67)) {
            float[] x = uniform(r, g.xSize()), w = uniform(r, g.wSize());
            float[] scale = uniform(r, g.OC), shift = uniform(r, g.OC);
            float[] want = new float[g.outSize()], got = new float[g.outSize()];
            simd.forward(want, x, w, null, g, false, 0, g.N);
            simd.scaleShiftRelu(want, scale, shift, g, 0, g.N, 0, g.OC);
            simd.forwardScaleShiftRelu(got, x, w, scale, shift, g, 0, g.N);
            assertArrayEquals(want, got, g.toString());
        }
    }

    /**
     * Where the weights outweigh the activations the forward pass and the input gradient split over
     * channels: each part, the frozen entry and the inference path's fold give the image split's
     * values bit for bit.
     */
    @Test
    void channelPartsGiveTheImageSplitsValues() {
        Rng r = new Rng(25);
        SimdConvKernels simd = new SimdConvKernels();
        for (int n : new int[] {3, 20}) {
            ConvGeom g = ConvGeom.transposed(n, 40, 2, 2, 24, 4, 4, 2, 2, 1, 1, 0, 0);
            assertTrue(simd.splitsByChannels(g), g.toString());
            float[] x = uniform(r, g.xSize()), w = uniform(r, g.wSize()), b = uniform(r, g.OC);
            float[] d = uniform(r, g.outSize()), init = uniform(r, g.outSize());
            float[] scale = uniform(r, g.OC), shift = uniform(r, g.OC);
            float[] out = init.clone(), dx = uniform(r, g.xSize()), dxInit = dx.clone();
            simd.forward(out, x, w, b, g, true, 0, g.N);
            simd.backwardInput(dx, d, w, g, 0, g.N);
            float[] folded = new float[g.outSize()];
            simd.forward(folded, x, w, null, g, false, 0, g.N);
            simd.scaleShiftRelu(folded, scale, shift, g, 0, g.N, 0, g.OC);
            for (int[] cuts : new int[][] {{0, g.OC / 2, g.OC}, {0, 1, 7, g.OC}}) {
                float[] parts = init.clone(), fold = new float[g.outSize()];
                for (int i = 0; i + 1 < cuts.length; i++) {
                    simd.forwardChannels(parts, x, w, b, g, true, cuts[i], cuts[i + 1]);
                    simd.forwardChannelsScaleShiftRelu(
                            fold, x, w, scale, shift, g, cuts[i], cuts[i + 1]);
                }
                assertArrayEquals(out, parts, "forward " + g + " " + Arrays.toString(cuts));
                assertArrayEquals(folded, fold, "folded " + g + " " + Arrays.toString(cuts));
            }
            for (int[] cuts : new int[][] {{0, g.C / 2, g.C}, {0, 1, 5, g.C}}) {
                float[] parts = dxInit.clone(), frozen = dxInit.clone();
                for (int i = 0; i + 1 < cuts.length; i++) {
                    simd.backwardInputChannels(parts, d, w, g, cuts[i], cuts[i + 1]);
                    simd.backwardInputChannelsFrozen(frozen, d, w, g, cuts[i], cuts[i + 1]);
                }
                assertArrayEquals(dx, parts, "backwardInput " + g + " " + Arrays.toString(cuts));
                assertArrayEquals(dx, frozen, "frozen " + g + " " + Arrays.toString(cuts));
            }
        }
        // the 4×4 → 8×8 layer has more activations than weights: split by images
        assertFalse(
                simd.splitsByChannels(
                        ConvGeom.transposed(128, 256, 4, 4, 128, 4, 4, 2, 2, 1, 1, 0, 0)));
        assertTrue(
                simd.splitsByChannels(
                        ConvGeom.transposed(128, 512, 2, 2, 256, 4, 4, 2, 2, 1, 1, 0, 0)));
    }

    /**
     * The frozen input gradient and the inference path keep their rearranged weights between calls:
     * their values are the plain entries' bit for bit, on the first call, the next one, and after
     * any weight is changed in place.
     */
    @Test
    void keptArrangementsFollowTheWeights() {
        Rng r = new Rng(26);
        SimdConvKernels simd = new SimdConvKernels();
        for (ConvGeom g : geometries(5)) {
            float[] x = uniform(r, g.xSize()),
                    w = uniform(r, g.wSize()),
                    d = uniform(r, g.outSize());
            float[] scale = uniform(r, g.OC), shift = uniform(r, g.OC);
            for (int round = 0; round < 3; round++) {
                if (round == 2) w[w.length / 2 + 1] += 0.5f; // a weight changed in place
                float[] want = new float[g.xSize()], got = new float[g.xSize()];
                simd.backwardInput(want, d, w, g, 0, g.N);
                simd.backwardInputFrozen(got, d, w, g, 0, g.N);
                assertArrayEquals(want, got, "frozen input gradient, round " + round + " " + g);
                float[] wantOut = new float[g.outSize()], gotOut = new float[g.outSize()];
                simd.forward(wantOut, x, w, null, g, false, 0, g.N);
                simd.scaleShiftRelu(wantOut, scale, shift, g, 0, g.N, 0, g.OC);
                simd.forwardScaleShiftRelu(gotOut, x, w, scale, shift, g, 0, g.N);
                assertArrayEquals(wantOut, gotOut, "folded forward, round " + round + " " + g);
            }
        }
    }

    /**
     * More images than one chunk of the weight gradient's reduction, split over input channels (an
     * 8 × 8 → 4 × 4 plane, x 4.8 times dOut) and over output channels (the stride-1 4 × 4 plane).
     */
    @Test
    void weightGradientOverSeveralChunks() {
        Rng r = new Rng(23);
        SimdConvKernels simd = new SimdConvKernels();
        List<ConvGeom> planes = geometries(PixelProducts.WEIGHT_CHUNK + 19);
        for (int i : new int[] {7, 2}) {
            ConvGeom g = planes.get(i);
            boolean byOut = simd.splitsWeightGradientByOutChannels(g);
            assertEquals(i == 2, byOut, g.toString());
            float[] d = uniform(r, g.outSize()),
                    x = uniform(r, g.xSize()),
                    init = uniform(r, g.wSize());
            float[] want = init.clone(), got = init.clone();
            new ScalarConvKernels().backwardWeight(want, d, x, g, 0, g.C);
            if (byOut) {
                simd.backwardWeightOutChannels(got, d, x, g, 0, 20);
                simd.backwardWeightOutChannels(got, d, x, g, 20, g.OC);
            } else {
                simd.backwardWeight(got, d, x, g, 0, g.C);
            }
            assertClose(want, got, 1e-4, 1e-4, "backwardWeight " + g);
        }
    }

    @Test
    void doesNotDependOnTheSplit() {
        Rng r = new Rng(22);
        SimdConvKernels simd = new SimdConvKernels();
        for (ConvGeom g : geometries(130)) {
            float[] d = uniform(r, g.outSize()), w = uniform(r, g.wSize());
            float[] init = uniform(r, g.xSize());
            float[] whole = init.clone();
            simd.backwardInput(whole, d, w, g, 0, g.N);
            for (int[] cuts : new int[][] {{0, 65, 130}, {0, 1, 13, 77, 130}}) {
                float[] parts = init.clone();
                for (int i = 0; i + 1 < cuts.length; i++)
                    simd.backwardInput(parts, d, w, g, cuts[i], cuts[i + 1]);
                assertArrayEquals(whole, parts, g + " cut at " + Arrays.toString(cuts));
            }
            float[] x = uniform(r, g.xSize()), out = new float[g.outSize()];
            simd.forward(out, x, w, null, g, false, 0, g.N);
            for (int[] cuts : new int[][] {{0, 65, 130}, {0, 1, 13, 77, 130}}) {
                float[] parts = d.clone();
                for (int i = 0; i + 1 < cuts.length; i++)
                    simd.forward(parts, x, w, null, g, false, cuts[i], cuts[i + 1]);
                assertArrayEquals(out, parts, "forward " + g + " cut at " + Arrays.toString(cuts));
            }
            float[] dw = w.clone();
            simd.backwardWeight(dw, d, x, g, 0, g.C);
            for (int[] cuts : new int[][] {{0, g.C / 2, g.C}, {0, 1, 5, g.C}}) {
                float[] parts = w.clone();
                for (int i = 0; i + 1 < cuts.length; i++)
                    simd.backwardWeight(parts, d, x, g, cuts[i], cuts[i + 1]);
                assertArrayEquals(dw, parts, "weights " + g + " cut at " + Arrays.toString(cuts));
            }
            boolean byOut = g.C * g.H * g.W <= 4 * g.OC * g.OH * g.OW; // x at most 4 × dOut
            assertEquals(byOut, simd.splitsWeightGradientByOutChannels(g), g.toString());
            if (!byOut) continue;
            for (int[] cuts : new int[][] {{0, g.OC / 2, g.OC}, {0, 1, 7, g.OC}}) {
                float[] parts = w.clone();
                for (int i = 0; i + 1 < cuts.length; i++)
                    simd.backwardWeightOutChannels(parts, d, x, g, cuts[i], cuts[i + 1]);
                assertArrayEquals(
                        dw, parts, "weights by output channels " + g + " " + Arrays.toString(cuts));
            }
        }
    }

    /**
     * The forms every part of a call would derive in full (rearranged weights for the image parts
     * of forward and the input gradient), derived once in parts of any size, give the unshared
     * calls' values bit for bit; and only the splits that would repeat them have them.
     */
    @Test
    void sharedFormsGiveTheUnsharedValues() {
        Rng r = new Rng(27);
        SimdConvKernels simd = new SimdConvKernels();
        for (int n : new int[] {3, PixelProducts.WEIGHT_CHUNK + 19}) {
            for (ConvGeom g : geometries(n)) {
                float[] x = uniform(r, g.xSize()), w = uniform(r, g.wSize()), b = uniform(r, g.OC);
                float[] d = uniform(r, g.outSize());
                int fw = simd.sharedSize(Shared.FORWARD_WEIGHTS, g),
                        iw = simd.sharedSize(Shared.INPUT_GRADIENT_WEIGHTS, g);
                assertEquals(simd.splitsByChannels(g) ? 0 : g.wSize(), fw, g.toString());
                assertEquals(fw, iw, g.toString());
                int[] imageCuts = {0, 1, g.N / 2 + 1, g.N};
                if (fw > 0) {
                    float[] a = shared(simd, Shared.FORWARD_WEIGHTS, fw, w, g);
                    for (boolean acc : new boolean[] {false, true}) {
                        float[] want = d.clone(), got = d.clone();
                        simd.forward(want, x, w, b, g, acc, 0, g.N);
                        for (int i = 0; i + 1 < imageCuts.length; i++)
                            simd.forwardShared(
                                    got, x, a, b, g, acc, imageCuts[i], imageCuts[i + 1]);
                        assertArrayEquals(want, got, "forward " + acc + " " + g);
                    }
                    a = shared(simd, Shared.INPUT_GRADIENT_WEIGHTS, iw, w, g);
                    float[] want = x.clone(), got = x.clone();
                    simd.backwardInput(want, d, w, g, 0, g.N);
                    for (int i = 0; i + 1 < imageCuts.length; i++)
                        simd.backwardInputShared(got, d, a, g, imageCuts[i], imageCuts[i + 1]);
                    assertArrayEquals(want, got, "backwardInput " + g);
                }
            }
        }
        // the classifier's 4×4 → 2×2 layer shares its weights; the decoder's 2×2 → 4×4 one splits
        // by channels and has none to share; the scalar kernels share nothing
        ConvGeom four = ConvGeom.conv(128, 256, 4, 4, 256, 3, 3, 2, 2, 1, 1),
                two = ConvGeom.transposed(128, 512, 2, 2, 256, 4, 4, 2, 2, 1, 1, 0, 0);
        assertEquals(four.wSize(), simd.sharedSize(Shared.FORWARD_WEIGHTS, four));
        assertEquals(0, simd.sharedSize(Shared.FORWARD_WEIGHTS, two));
        assertThrows(
                UnsupportedOperationException.class,
                () ->
                        simd.forwardShared(
                                new float[two.outSize()], null, null, null, two, false, 0, 1));
        for (Shared what : Shared.values())
            assertEquals(0, new ScalarConvKernels().sharedSize(what, four), what.toString());
    }

    /** The form {@code what} of {@code from}, derived in three parts of uneven size. */
    private static float[] shared(
            SimdConvKernels simd, Shared what, int size, float[] from, ConvGeom g) {
        float[] a = new float[size];
        Arrays.fill(a, Float.NaN); // any element no part writes shows
        int e = what.extent(g);
        int[] cuts = {0, 1, Math.max(1, e / 3), e};
        for (int i = 0; i + 1 < cuts.length; i++)
            simd.share(what, a, from, g, cuts[i], cuts[i + 1]);
        return a;
    }

    /**
     * Which weight gradients split over output channels: all but those whose x is more than four
     * times dOut. The classifier's stride-1 layers (dOut twice x), the decoder's (as convolutions,
     * x twice dOut) and the classifier's stride-2 layers (x four times dOut) do; with one input
     * channel more than the last, or a quarter of the output channels, x is the larger by more.
     */
    @Test
    void splitsTheWeightGradientByOutputChannelsUnlessXIsMuchLarger() {
        SimdConvKernels simd = new SimdConvKernels();
        for (ConvGeom g :
                List.of(
                        ConvGeom.conv(128, 64, 8, 8, 128, 3, 3, 1, 1, 1, 1),
                        ConvGeom.conv(128, 128, 4, 4, 256, 3, 3, 1, 1, 1, 1),
                        ConvGeom.transposed(128, 512, 2, 2, 256, 4, 4, 2, 2, 1, 1, 0, 0),
                        ConvGeom.transposed(128, 256, 4, 4, 128, 4, 4, 2, 2, 1, 1, 0, 0),
                        ConvGeom.conv(128, 256, 4, 4, 256, 3, 3, 2, 2, 1, 1),
                        ConvGeom.conv(128, 128, 8, 8, 128, 3, 3, 2, 2, 1, 1)))
            assertTrue(simd.splitsWeightGradientByOutChannels(g), g.toString());
        for (ConvGeom g :
                List.of(
                        ConvGeom.conv(128, 129, 8, 8, 128, 3, 3, 2, 2, 1, 1),
                        ConvGeom.conv(128, 128, 8, 8, 32, 3, 3, 2, 2, 1, 1)))
            assertFalse(simd.splitsWeightGradientByOutChannels(g), g.toString());
    }

    /**
     * TorchParityTest checks the convolutions against PyTorch on the fixture's cases; some of those
     * must reach the fast paths, which small shapes never do (the paths' thresholds may move; then
     * make_fixtures.py's last cases need new shapes).
     */
    @Test
    void theTorchFixtureReachesTheFastPaths() {
        boolean stride1 = false,
                stride2 = false,
                dense = false,
                oneChannel = false,
                transposed = false;
        for (JsonNode c : Fixtures.torchCases("conv2d")) {
            int[] x = Fixtures.tensor(c, "x").shape(), w = Fixtures.tensor(c, "w").shape();
            int s = c.get("config").get("stride").asInt(),
                    p = c.get("config").get("padding").asInt();
            ConvGeom g = ConvGeom.conv(x[0], x[1], x[2], x[3], w[0], w[2], w[3], s, s, p, p);
            stride1 |= PixelProducts.applies(g) && s == 1;
            stride2 |= PixelProducts.applies(g) && s == 2;
            dense |= DenseConv.applies(g);
            oneChannel |= g.C == 1 && !DenseConv.applies(g);
        }
        for (JsonNode c : Fixtures.torchCases("conv_transpose2d")) {
            JsonNode cfg = c.get("config");
            int[] x = Fixtures.tensor(c, "x").shape(), w = Fixtures.tensor(c, "w").shape();
            int s = cfg.get("stride").asInt(), p = cfg.get("padding").asInt();
            int op = cfg.get("output_padding").asInt();
            transposed |=
                    PixelProducts.applies(
                            ConvGeom.transposed(
                                    x[0], x[1], x[2], x[3], w[1], w[2], w[3], s, s, p, p, op, op));
        }
        assertTrue(
                stride1 && stride2, "pixel products, stride 1 and 2: " + stride1 + " " + stride2);
        assertTrue(dense, "the dense form");
        assertTrue(oneChannel, "one input channel");
        assertTrue(transposed, "a transposed convolution by pixel products");
    }
}
