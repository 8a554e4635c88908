package org.cladec.engine.kernels;

import static org.cladec.testing.Close.assertClose;
import static org.cladec.testing.RandomArrays.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.cladec.engine.kernels.simd.SimdConvKernels;
import org.cladec.engine.kernels.simd.SimdKernels;
import org.cladec.engine.tensor.Rng;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The SIMD convolution kernels against the scalar reference, and the scalar reference (matrix
 * products over im2col) against the direct six-loop formula, per element, on awkward geometries
 * (odd sizes, channels that are not multiples of the lane count, batch 1, stride 2, padding 0 and
 * 1, 1x1 and 4x4 kernels) and the real shapes of the classifier and decoders. Rerun by surefire at
 * 128, 256 and 512 bits.
 */
class ConvKernelsTest {
    static final ConvKernels DIRECT = new DirectConvKernels(),
            SCALAR = new ScalarConvKernels(),
            SIMD = SimdKernels.create().conv();

    static final NormKernels SIMD_NORM = SimdKernels.create().norm();

    /** (reference, kernel under test, geometry). */
    static Stream<Arguments> cases() {
        return geometries()
                .flatMap(
                        g ->
                                Stream.of(
                                        Arguments.of(
                                                Named.of("scalar", SCALAR),
                                                Named.of("simd", SIMD),
                                                g),
                                        Arguments.of(
                                                Named.of("direct", DIRECT),
                                                Named.of("scalar", SCALAR),
                                                g)));
    }

    static Stream<ConvGeom> geometries() {
        List<ConvGeom> g = new ArrayList<>();
        g.add(ConvGeom.conv(1, 1, 5, 5, 1, 3, 3, 1, 1, 0, 0));
        g.add(ConvGeom.conv(2, 3, 7, 6, 5, 3, 3, 1, 1, 1, 1));
        g.add(ConvGeom.conv(3, 5, 9, 9, 17, 3, 3, 2, 2, 1, 1));
        g.add(ConvGeom.conv(1, 7, 8, 7, 3, 1, 1, 1, 1, 0, 0));
        g.add(ConvGeom.conv(2, 4, 11, 10, 13, 3, 3, 2, 2, 0, 0));
        g.add(ConvGeom.conv(2, 2, 6, 6, 3, 4, 4, 2, 2, 1, 1));
        g.add(ConvGeom.conv(2, 3, 7, 9, 6, 3, 2, 2, 1, 0, 1));
        g.add(ConvGeom.conv(33, 6, 3, 3, 7, 3, 3, 2, 2, 1, 1)); // many tiny images: batched columns
        // chunks of whole NR-wide panels (6 images of 64 pixels, 18 of 16) and a shorter last one
        g.add(ConvGeom.conv(20, 5, 8, 8, 9, 3, 3, 1, 1, 1, 1));
        g.add(ConvGeom.conv(40, 3, 4, 4, 10, 3, 3, 1, 1, 1, 1));
        // 4x4 -> 4x4 (one vector each at 512 bits: im2col by lane permutes), 3x3 with padding
        // and 1x1
        g.add(ConvGeom.conv(3, 5, 4, 4, 7, 3, 3, 1, 1, 1, 1));
        g.add(ConvGeom.conv(2, 3, 4, 4, 6, 1, 1, 1, 1, 0, 0));
        // planes of whole vectors sorted into stride phases (lane permutes at 128 to 512 bits):
        // 4x4 -> 2x2 and 8x8 -> 4x4 at stride 2 with 3x3 and 4x4 kernels (the classifier's and
        // decoders' small layers), rows narrower than a vector (9 pixels, the last images of a
        // chunk stored through scratch), a 4x8 plane, and 19 images: more than one chunk
        g.add(ConvGeom.conv(5, 3, 4, 4, 6, 3, 3, 2, 2, 1, 1));
        g.add(ConvGeom.conv(19, 3, 8, 8, 5, 3, 3, 2, 2, 1, 1));
        g.add(ConvGeom.transposed(3, 6, 4, 4, 5, 4, 4, 2, 2, 1, 1, 0, 0));
        g.add(ConvGeom.transposed(4, 7, 2, 2, 3, 4, 4, 2, 2, 1, 1, 0, 0));
        g.add(ConvGeom.conv(4, 3, 8, 8, 5, 3, 3, 2, 2, 0, 0));
        g.add(ConvGeom.conv(3, 2, 4, 8, 3, 3, 3, 2, 2, 1, 1));
        g.add(ConvGeom.conv(2, 2, 8, 4, 3, 2, 3, 2, 1, 1, 0));
        g.add(ConvGeom.conv(5, 2, 4, 4, 3, 3, 3, 2, 2, 0, 0)); // one output pixel
        // the small classifier's shapes (width 0.25) and a decoder transposed conv (as its conv
        // geometry)
        g.add(ConvGeom.conv(3, 1, 32, 32, 8, 3, 3, 2, 2, 1, 1));
        g.add(ConvGeom.conv(5, 16, 8, 8, 32, 3, 3, 1, 1, 1, 1));
        g.add(ConvGeom.conv(7, 64, 2, 2, 128, 3, 3, 2, 2, 1, 1));
        // weight gradients over 64-column panels (the 6 x 4-vector tile at 512 bits): 64, 128
        // and 192 output channels, dwT's rows ending mid-strip (27, 18 and 27 rows), several
        // k-blocks with a tail (320, 405 and 441 pixels)
        g.add(ConvGeom.conv(5, 3, 16, 16, 64, 3, 3, 2, 2, 1, 1));
        g.add(ConvGeom.conv(5, 2, 9, 9, 128, 3, 3, 1, 1, 1, 1));
        g.add(ConvGeom.conv(7, 3, 7, 9, 192, 3, 3, 1, 1, 1, 1));
        // the direct weight gradient in one k-block of 280 (> 256) rows: the decoder's 512 -> 256
        // layer's 4 x 4 -> 2 x 2 shape, with more output channels than pixels in the batch
        g.add(ConvGeom.conv(70, 3, 4, 4, 160, 4, 4, 2, 2, 1, 1));
        g.add(ConvGeom.transposed(2, 64, 8, 8, 32, 4, 4, 2, 2, 1, 1, 0, 0));
        g.add(ConvGeom.transposed(3, 16, 16, 16, 1, 4, 4, 2, 2, 1, 1, 0, 0));
        g.add(ConvGeom.conv(2, 300, 3, 3, 19, 3, 3, 1, 1, 1, 1)); // K = 2700: many k-blocks
        g.add(ConvGeom.conv(2, 3, 21, 20, 5, 3, 3, 1, 1, 1, 1)); // 420 columns: a column tail
        g.add(ConvGeom.conv(3, 2, 1, 1, 3, 5, 5, 1, 1, 2, 2)); // padding wider than the output
        g.add(ConvGeom.conv(2, 2, 1, 2, 3, 6, 6, 1, 1, 3, 3)); // ... with 2x3 outputs
        // stride 1 with OW = W (im2col copies a tap's rows as one run) and taps shifted by up
        // to W - 1 columns, so the run crosses into neighbouring rows
        // (planes large enough for im2col; the smaller ones before take the dense form)
        g.add(ConvGeom.conv(2, 3, 4, 3, 5, 5, 5, 1, 1, 2, 2));
        g.add(ConvGeom.conv(1, 2, 5, 4, 3, 7, 7, 1, 1, 3, 3));
        g.add(ConvGeom.conv(2, 3, 5, 4, 5, 5, 5, 1, 1, 2, 2));
        g.add(ConvGeom.conv(1, 2, 7, 6, 3, 7, 7, 1, 1, 3, 3));
        g.add(
                ConvGeom.conv(
                        1, 2, 20, 19, 3, 17, 17, 2, 2, 1, 1)); // huge kernel: the col2im fallback
        g.add(
                ConvGeom.conv(
                        2, 3, 9, 10, 4, 5, 3, 3, 2, 2,
                        0)); // stride 3, taps missing in some parities
        // at least COL2IM_MIN_PIXELS output pixels, so the SIMD col2im adds runs into (phase)
        // planes: odd sizes at stride 2, rows narrower than the phase planes' (one copy/add per
        // row), strides 3x2 and 2x1, and stride 1 with runs crossing into neighbouring rows
        g.add(ConvGeom.conv(2, 3, 17, 17, 5, 3, 3, 2, 2, 1, 1));
        g.add(ConvGeom.conv(2, 4, 23, 22, 5, 3, 3, 2, 2, 0, 0));
        g.add(ConvGeom.conv(2, 3, 25, 28, 4, 5, 3, 3, 2, 2, 0));
        g.add(ConvGeom.conv(2, 3, 15, 18, 6, 3, 2, 2, 1, 0, 1));
        g.add(ConvGeom.conv(1, 2, 9, 8, 3, 7, 7, 1, 1, 3, 3));
        g.add(ConvGeom.transposed(2, 5, 9, 8, 3, 4, 4, 2, 2, 1, 1, 0, 0));
        // planes smaller than the kernel window, the dense form: the classifier's 2x2 layers at
        // stride 1 and 2, a decoder's first transposed conv (1x1 -> 2x2), pixel pairs no tap
        // links (4x1 with a 5x5 kernel; stride 2 with padding 2), an output wider than R = 48
        // and an input wider than a GEMM k-block (Q = 300)
        g.add(ConvGeom.conv(3, 5, 2, 2, 7, 3, 3, 1, 1, 1, 1));
        g.add(ConvGeom.conv(5, 19, 2, 2, 13, 3, 3, 2, 2, 1, 1));
        g.add(ConvGeom.transposed(3, 6, 1, 1, 5, 4, 4, 2, 2, 1, 1, 0, 0));
        g.add(ConvGeom.conv(2, 3, 4, 1, 5, 5, 5, 1, 1, 2, 2));
        g.add(ConvGeom.conv(3, 3, 4, 4, 5, 5, 5, 2, 2, 2, 2));
        g.add(ConvGeom.conv(9, 75, 2, 2, 29, 3, 3, 1, 1, 1, 1));
        // dense panels narrower than NR but whole vectors wide (gathered, the rest zero) at 128 to
        // 512 bits: R = 64 and 56 output values, Q = 32 and 20 input values per image
        g.add(ConvGeom.conv(3, 8, 2, 2, 16, 3, 3, 1, 1, 1, 1));
        g.add(ConvGeom.conv(3, 5, 2, 2, 14, 3, 3, 1, 1, 1, 1));
        // the input gradient's D gathered row by row across a block: R = 280 rows (two k-blocks),
        // Q = 400 columns (a full NC block, then one vector)
        g.add(ConvGeom.conv(2, 100, 2, 2, 70, 3, 3, 1, 1, 1, 1));
        // a single output pixel that is not dense (H·W = KH·KW): im2col's small-plane gather
        g.add(ConvGeom.conv(3, 4, 3, 3, 5, 3, 3, 1, 1, 0, 0));
        // 4x4 -> 2x2 input gradients with col2im fused into the product: output channels deeper
        // than one ordinary k-block (still one block there), and more than that block takes
        g.add(ConvGeom.conv(3, 2, 4, 4, 300, 3, 3, 2, 2, 1, 1));
        g.add(ConvGeom.conv(2, 2, 4, 4, 1100, 3, 3, 2, 2, 1, 1));
        // output rows of whole half-vectors at stride 2 across, im2col and col2im by windows
        // (ConvPacks.HalfWindows) at some width: rows of 6 (128 bits), 12 (256 bits) and 8 (512
        // bits) pixels, windows that would leave the plane at its start and end, stride 1 down,
        // padding 2 with a 5x5 kernel, 4x4 at padding 1, 1x1 with no padding, rows of 4 pixels
        g.add(ConvGeom.conv(2, 3, 24, 12, 5, 3, 3, 2, 2, 1, 1));
        g.add(ConvGeom.conv(3, 2, 16, 24, 5, 3, 3, 2, 2, 1, 1));
        g.add(ConvGeom.conv(2, 3, 20, 16, 5, 3, 3, 2, 2, 1, 1));
        g.add(ConvGeom.conv(2, 2, 10, 16, 3, 3, 3, 1, 2, 1, 1));
        g.add(ConvGeom.conv(2, 2, 18, 16, 3, 5, 5, 2, 2, 2, 2));
        g.add(ConvGeom.conv(2, 3, 20, 16, 4, 4, 4, 2, 2, 1, 1));
        g.add(ConvGeom.conv(2, 3, 20, 16, 4, 1, 1, 2, 2, 0, 0));
        g.add(ConvGeom.conv(2, 3, 16, 8, 4, 3, 3, 2, 2, 1, 1));
        g.add(ConvGeom.conv(1, 2, 36, 12, 3, 3, 3, 2, 2, 1, 1));
        g.add(ConvGeom.conv(2, 2, 20, 16, 3, 5, 5, 2, 2, 2, 2));

        return g.stream();
    }

    private static double tol(ConvGeom g) {
        return 1e-5 * Math.sqrt(g.C * g.KH * g.KW + g.OC);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void forwardMatchesReference(ConvKernels reference, ConvKernels kernel, ConvGeom g) {
        Rng r = new Rng(1);
        float[] x = uniform(r, g.xSize()),
                w = uniform(r, g.wSize()),
                b = uniform(r, g.OC),
                init = uniform(r, g.outSize());
        for (boolean acc : new boolean[] {false, true}) {
            for (float[] bias : new float[][] {null, b}) {
                float[] ref = init.clone(), got = init.clone();
                reference.forward(ref, x, w, bias, g, acc, 0, g.N);
                // two partitions, as two threads would split it
                kernel.forward(got, x, w, bias, g, acc, 0, g.N / 2);
                kernel.forward(got, x, w, bias, g, acc, g.N / 2, g.N);
                assertClose(
                        ref,
                        got,
                        tol(g),
                        1e-4,
                        "forward " + g + " acc=" + acc + " bias=" + (bias != null));
            }
        }
    }

    /**
     * Eval-mode batch norm and ReLU folded into the convolution's store: bit for bit the kernel's
     * own forward followed by its kernel set's normalize (split over images as two threads would,
     * and over output channels where the kernel splits so), whatever the path (a batched chunk
     * copied into NCHW, a single image, the dense form).
     */
    @ParameterizedTest
    @MethodSource("cases")
    void scaleShiftReluIsForwardThenNormalize(
            ConvKernels reference, ConvKernels kernel, ConvGeom g) {
        NormKernels norm = kernel == SIMD ? SIMD_NORM : new ScalarNormKernels();
        Rng r = new Rng(5);
        final int OHW = g.OH * g.OW;
        float[] x = uniform(r, g.xSize()), w = uniform(r, g.wSize());
        float[] mean = uniform(r, g.OC), gamma = uniform(r, g.OC), beta = uniform(r, g.OC);
        float[] invStd = new float[g.OC], scale = new float[g.OC], shift = new float[g.OC];
        for (int c = 0; c < g.OC; c++) {
            invStd[c] =
                    r.uniform(0.5f, 1.5f); // scale and shift as the normalize kernels derive them
            scale[c] = invStd[c] * gamma[c];
            shift[c] = beta[c] - mean[c] * scale[c];
        }
        float[] conv = new float[g.outSize()], expected = new float[g.outSize()];
        kernel.forward(conv, x, w, null, g, false, 0, g.N);
        norm.normalize(expected, conv, mean, invStd, gamma, beta, true, g.N, g.OC, OHW, 0, g.N);
        float[] got = uniform(r, g.outSize()); // overwritten
        kernel.forwardScaleShiftRelu(got, x, w, scale, shift, g, 0, g.N / 2);
        kernel.forwardScaleShiftRelu(got, x, w, scale, shift, g, g.N / 2, g.N);
        assertArrayEquals(expected, got, "forwardScaleShiftRelu " + g);
        if (kernel.splitsByChannels(g)) {
            float[] byChannels = uniform(r, g.outSize());
            int oh = g.OC / 3;
            kernel.forwardChannelsScaleShiftRelu(byChannels, x, w, scale, shift, g, 0, oh);
            kernel.forwardChannelsScaleShiftRelu(byChannels, x, w, scale, shift, g, oh, g.OC);
            assertArrayEquals(expected, byChannels, "forwardChannelsScaleShiftRelu " + g);
        }
        int clipped = 0;
        for (float v : expected) if (v == 0f) clipped++;
        if (expected.length >= 64) // the data exercise the ReLU (a tiny output may not)
        assertTrue(clipped > 0 && clipped < expected.length, "the ReLU clips some, not all");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void backwardInputMatchesReference(ConvKernels reference, ConvKernels kernel, ConvGeom g) {
        Rng r = new Rng(2);
        float[] d = uniform(r, g.outSize()),
                w = uniform(r, g.wSize()),
                init = uniform(r, g.xSize());
        float[] ref = init.clone(), got = init.clone();
        reference.backwardInput(ref, d, w, g, 0, g.N);
        kernel.backwardInput(got, d, w, g, 0, 1);
        kernel.backwardInput(got, d, w, g, 1, g.N);
        assertClose(ref, got, tol(g), 1e-4, "backwardInput " + g);
    }

    /** Where the kernel splits by channels (the SIMD dense form), those splits too. */
    @ParameterizedTest
    @MethodSource("cases")
    void channelSplitsMatchReference(ConvKernels reference, ConvKernels kernel, ConvGeom g) {
        if (!kernel.splitsByChannels(g)) return;
        Rng r = new Rng(4);
        float[] x = uniform(r, g.xSize()),
                w = uniform(r, g.wSize()),
                b = uniform(r, g.OC),
                d = uniform(r, g.outSize()),
                initOut = uniform(r, g.outSize()),
                initX = uniform(r, g.xSize());
        int oh = g.OC / 3, ch = g.C - g.C / 2; // uneven parts, the first may be empty
        for (boolean acc : new boolean[] {false, true}) {
            float[] ref = initOut.clone(), got = initOut.clone();
            reference.forward(ref, x, w, b, g, acc, 0, g.N);
            kernel.forwardChannels(got, x, w, b, g, acc, 0, oh);
            kernel.forwardChannels(got, x, w, b, g, acc, oh, g.OC);
            assertClose(ref, got, tol(g), 1e-4, "forwardChannels " + g + " acc=" + acc);
        }
        float[] ref = initX.clone(), got = initX.clone();
        reference.backwardInput(ref, d, w, g, 0, g.N);
        kernel.backwardInputChannels(got, d, w, g, 0, ch);
        kernel.backwardInputChannels(got, d, w, g, ch, g.C);
        assertClose(ref, got, tol(g), 1e-4, "backwardInputChannels " + g);
    }

    @Test
    void denseGeometriesSplitByChannels() {
        ConvGeom dense = ConvGeom.conv(2, 4, 2, 2, 6, 3, 3, 1, 1, 1, 1),
                planes = ConvGeom.conv(2, 4, 8, 8, 6, 3, 3, 1, 1, 1, 1);
        assertTrue(SIMD.splitsByChannels(dense) && !SIMD.splitsByChannels(planes));
        assertFalse(SCALAR.splitsByChannels(dense));
        assertThrows(
                UnsupportedOperationException.class,
                () -> SIMD.forwardChannels(new float[0], null, null, null, planes, false, 0, 1));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void backwardWeightMatchesReference(ConvKernels reference, ConvKernels kernel, ConvGeom g) {
        Rng r = new Rng(3);
        float[] d = uniform(r, g.outSize()),
                x = uniform(r, g.xSize()),
                initW = uniform(r, g.wSize());
        float[] ref = initW.clone(), got = initW.clone();
        reference.backwardWeight(ref, d, x, g, 0, g.C);
        int half = g.C / 2; // two parts over input channels, as two threads split it
        kernel.backwardWeight(got, d, x, g, 0, half);
        kernel.backwardWeight(got, d, x, g, half, g.C);
        double t = 1e-5 * Math.sqrt((double) g.N * g.OH * g.OW) * 4;
        assertClose(ref, got, t, 1e-4, "backwardWeight dw " + g);
        if (!kernel.splitsWeightGradientByOutChannels(g)) return;
        float[] byOut = initW.clone();
        int third = g.OC / 3; // uneven parts, the first may be empty
        kernel.backwardWeightOutChannels(byOut, d, x, g, 0, third);
        kernel.backwardWeightOutChannels(byOut, d, x, g, third, g.OC);
        assertClose(ref, byOut, t, 1e-4, "backwardWeightOutChannels dw " + g);
    }

    /**
     * A single input channel splits the weight gradient over output channels, in the SIMD kernel
     * only, and bit for bit as the unsplit gradient: the first convolution of a classifier, the
     * last transposed convolution of a decoder (as its conv geometry), and several images per chunk
     * with output channels that are not a multiple of the register tile's rows.
     */
    @Test
    void singleInputChannelSplitsWeightGradientByOutputChannels() {
        ConvGeom first = ConvGeom.conv(6, 1, 32, 32, 32, 3, 3, 2, 2, 1, 1),
                last = ConvGeom.transposed(3, 64, 16, 16, 1, 4, 4, 2, 2, 1, 1, 0, 0),
                odd = ConvGeom.conv(40, 1, 5, 6, 19, 3, 3, 1, 1, 1, 1),
                big = ConvGeom.conv(3, 1, 50, 48, 11, 3, 3, 1, 1, 1, 1), // one image per chunk
                planes = ConvGeom.conv(2, 4, 8, 8, 6, 3, 3, 1, 1, 1, 1);
        assertFalse(SIMD.splitsWeightGradientByOutChannels(planes));
        assertFalse(SCALAR.splitsWeightGradientByOutChannels(first));
        assertThrows(
                UnsupportedOperationException.class,
                () -> SIMD.backwardWeightOutChannels(new float[0], null, null, planes, 0, 1));
        Rng r = new Rng(6);
        assertTrue(SIMD.splitsWeightGradientByOutChannels(first));
        for (ConvGeom g : new ConvGeom[] {first, last, odd, big}) {
            assertTrue(SIMD.splitsWeightGradientByOutChannels(g), g.toString());
            float[] d = uniform(r, g.outSize()),
                    x = uniform(r, g.xSize()),
                    init = uniform(r, g.wSize());
            float[] whole = init.clone();
            SIMD.backwardWeight(whole, d, x, g, 0, g.C);
            assertPartsGiveTheWhole(
                    whole,
                    init,
                    g.OC,
                    (dw, lo, hi) -> SIMD.backwardWeightOutChannels(dw, d, x, g, lo, hi),
                    g.toString());
        }
    }

    /**
     * Results independent of the thread count: the weight gradient split over channels in two or
     * three parts is the unsplit one bit for bit, in both of the SIMD kernel's forms. In the first
     * geometry a chunk of images sized from the part's own rows would differ from the whole (im2col
     * rows × 2×2 output pixels × images over the 2M-float chunk limit; a 4×4 input, so not the
     * dense form) and such a chunk's columns are not a multiple of the GEMM's k-block, so a
     * split-dependent chunk would change the rounding. The second has as many output channels as
     * output pixels × images, so dw is accumulated directly.
     */
    @Test
    void weightGradientDoesNotDependOnTheSplit() {
        ConvGeom chunked = ConvGeom.conv(512, 128, 4, 4, 8, 3, 3, 2, 2, 1, 1),
                direct = ConvGeom.conv(16, 96, 4, 4, 64, 3, 3, 2, 2, 1, 1);
        assertFalse(SimdConvKernels.directWeightGradient(chunked));
        assertTrue(SimdConvKernels.directWeightGradient(direct));
        Rng r = new Rng(5);
        for (ConvGeom g : new ConvGeom[] {chunked, direct}) {
            float[] d = uniform(r, g.outSize()),
                    x = uniform(r, g.xSize()),
                    init = uniform(r, g.wSize());
            for (ConvKernels k : new ConvKernels[] {SCALAR, SIMD}) {
                float[] whole = init.clone();
                k.backwardWeight(whole, d, x, g, 0, g.C);
                assertPartsGiveTheWhole(
                        whole,
                        init,
                        g.C,
                        (dw, lo, hi) -> k.backwardWeight(dw, d, x, g, lo, hi),
                        k.getClass().getSimpleName() + " " + g);
            }
        }
    }

    /**
     * The input gradient with col2im fused into the product (SIMD, 4×4 → 2×2 and 3×3 → 1×1 at
     * stride 2) is the same bit for bit however the images are split: every dx element receives its
     * terms from one column panel in the same order wherever its image falls in a chunk. 80 images
     * are more than one chunk of columns. With more output channels than one k-block takes it falls
     * back to dcols and col2im.
     */
    @Test
    void fusedInputGradientDoesNotDependOnTheSplit() {
        ConvGeom deep = ConvGeom.conv(80, 3, 3, 3, 200, 3, 3, 2, 2, 1, 1),
                kernel4 = ConvGeom.transposed(80, 24, 2, 2, 5, 4, 4, 2, 2, 1, 1, 1, 1),
                onePixel = ConvGeom.conv(80, 5, 3, 3, 7, 3, 3, 2, 2, 0, 0),
                tooDeep = ConvGeom.conv(2, 2, 4, 4, 1100, 3, 3, 2, 2, 1, 1);
        assertTrue(SimdConvKernels.fusesCol2im(deep), deep.toString());
        assertTrue(SimdConvKernels.fusesCol2im(kernel4), kernel4.toString());
        assertTrue(SimdConvKernels.fusesCol2im(onePixel), onePixel.toString());
        assertFalse(SimdConvKernels.fusesCol2im(tooDeep));
        Rng r = new Rng(7);
        for (ConvGeom g : new ConvGeom[] {deep, kernel4, onePixel}) {
            float[] d = uniform(r, g.outSize()),
                    w = uniform(r, g.wSize()),
                    init = uniform(r, g.xSize());
            float[] whole = init.clone();
            SIMD.backwardInput(whole, d, w, g, 0, g.N);
            assertPartsGiveTheWhole(
                    whole,
                    init,
                    new int[][] {{0, 1, g.N}, {0, 13, 41, g.N}},
                    (dx, lo, hi) -> SIMD.backwardInput(dx, d, w, g, lo, hi),
                    g.toString());
        }
    }

    /** A kernel call over the range [lo, hi) of some axis (channels or images), into out. */
    interface Part {
        void run(float[] out, int lo, int hi);
    }

    /**
     * Two and three parts over {@code [0, count)}, applied to copies of init, each give {@code
     * whole} bit for bit.
     */
    private static void assertPartsGiveTheWhole(
            float[] whole, float[] init, int count, Part part, String what) {
        int third = count / 3;
        assertPartsGiveTheWhole(
                whole,
                init,
                new int[][] {{0, count / 2, count}, {0, third, 2 * third, count}},
                part,
                what);
    }

    /** Each set of cuts, its parts applied to a copy of init, gives {@code whole} bit for bit. */
    private static void assertPartsGiveTheWhole(
            float[] whole, float[] init, int[][] cutSets, Part part, String what) {
        for (int[] cuts : cutSets) {
            float[] parts = init.clone();
            for (int i = 0; i + 1 < cuts.length; i++) part.run(parts, cuts[i], cuts[i + 1]);
            assertArrayEquals(whole, parts, what + " cut at " + java.util.Arrays.toString(cuts));
        }
    }
}
