package org.cladec.engine.kernels;

/**
 * Convolution kernels over dense NCHW arrays starting at index 0; see {@link ConvGeom} for the
 * math. x (N, C, H, W), w (OC, C, KH, KW), b (OC) or null, out (N, OC, OH, OW).
 *
 * <p>Ranges partition the work so that concurrent calls write disjoint elements: forward and
 * backwardInput over images {@code [nLo, nHi)}, backwardWeight over input channels {@code [cLo,
 * cHi)} (the weights {@code w[:, c, :, :]}; a split over input channels lets each part build only
 * its own rows of the im2col matrix, where a split over output channels made every thread build all
 * of them). Every element's value is computed the same way whatever the partition, so results do
 * not depend on the thread count. Kernels never allocate per call and never start threads. A
 * transposed convolution is these same kernels with the roles of x and out exchanged.
 */
public interface ConvKernels {
    /**
     * {@code out (=|+=) b + conv(x, w)} for images {@code [nLo, nHi)}; with {@code accumulate} the
     * result is added to out, otherwise it replaces it. {@code b} may be null.
     */
    void forward(
            float[] out,
            float[] x,
            float[] w,
            float[] b,
            ConvGeom g,
            boolean accumulate,
            int nLo,
            int nHi);

    /** {@code dx += d(Σ out·dOut)/dx}, the input gradient, for images {@code [nLo, nHi)}. */
    void backwardInput(float[] dx, float[] dOut, float[] w, ConvGeom g, int nLo, int nHi);

    /**
     * {@code dw[:, c, :, :] += d(Σ out·dOut)/dw[:, c, :, :]} for input channels {@code [cLo, cHi)}.
     * The bias gradient is a plain per-channel sum of dOut (ElementwiseKernels.channelSumAcc).
     */
    void backwardWeight(float[] dw, float[] dOut, float[] x, ConvGeom g, int cLo, int cHi);

    /**
     * Whether a convolution op should split forward over output channels ({@link #forwardChannels})
     * and backwardInput over input channels ({@link #backwardInputChannels}) instead of images: for
     * a kernel whose per-call setup grows with the weights, not the images (the SIMD dense form
     * packs its whole weight matrix per call), a split over images repeats that setup in every
     * part.
     */
    default boolean splitsByChannels(ConvGeom g) {
        return false;
    }

    /**
     * Images this kernel takes in groups when forward or backwardInput is split by images: a split
     * whose boundaries are multiples of it leaves no partial group (pixel products put 64 images in
     * a GEMM's columns). Unless {@link #imageGrainExact} says otherwise, any split gives the same
     * values and the grain is about speed only.
     */
    default int imageGrain(ConvGeom g) {
        return 1;
    }

    /**
     * Whether a split by images gives the unsplit call's values only where its parts meet on
     * multiples of {@link #imageGrain}: true where a part's first image decides how a pixel's sums
     * are grouped (the SIMD input gradient that fuses col2im into its product). Such a split must
     * not fall back to a boundary elsewhere when no multiple fits, as a split for speed may.
     */
    default boolean imageGrainExact(ConvGeom g) {
        return false;
    }

    /**
     * {@link #forward} of every image, for output channels {@code [ocLo, ocHi)} only. Called only
     * where {@link #splitsByChannels} is true.
     */
    default void forwardChannels(
            float[] out,
            float[] x,
            float[] w,
            float[] b,
            ConvGeom g,
            boolean accumulate,
            int ocLo,
            int ocHi) {
        throw new UnsupportedOperationException("forwardChannels: not split by channels: " + g);
    }

    /**
     * {@link #forward} without bias for images {@code [nLo, nHi)}, then {@code out[n, oc, ·] =
     * relu(out[n, oc, ·]·scale[oc] + shift[oc])}: an eval-mode batch norm and its ReLU folded into
     * the convolution's output, computed as this kernel set's {@link NormKernels#normalize} with
     * relu computes them, so the result is that of the two calls.
     */
    default void forwardScaleShiftRelu(
            float[] out,
            float[] x,
            float[] w,
            float[] scale,
            float[] shift,
            ConvGeom g,
            int nLo,
            int nHi) {
        forward(out, x, w, null, g, false, nLo, nHi);
        scaleShiftRelu(out, scale, shift, g, nLo, nHi, 0, g.OC);
    }

    /**
     * {@link #forwardScaleShiftRelu} of every image, for output channels {@code [ocLo, ocHi)} only.
     * Called only where {@link #splitsByChannels} is true.
     */
    default void forwardChannelsScaleShiftRelu(
            float[] out,
            float[] x,
            float[] w,
            float[] scale,
            float[] shift,
            ConvGeom g,
            int ocLo,
            int ocHi) {
        forwardChannels(out, x, w, null, g, false, ocLo, ocHi);
        scaleShiftRelu(out, scale, shift, g, 0, g.N, ocLo, ocHi);
    }

    /**
     * The folded batch norm's epilogue, in place on the output: {@code out[n, oc, ·] = relu(out[n,
     * oc, ·]·scale[oc] + shift[oc])} for images [nLo, nHi), channels [ocLo, ocHi), with this kernel
     * set's normalize arithmetic (a kernel set whose normalize rounds differently overrides this).
     */
    default void scaleShiftRelu(
            float[] out,
            float[] scale,
            float[] shift,
            ConvGeom g,
            int nLo,
            int nHi,
            int ocLo,
            int ocHi) {
        ScalarNormKernels.scaleShiftRelu(
                out, scale, shift, g.OC, g.OH * g.OW, nLo, nHi, ocLo, ocHi);
    }

    /**
     * {@link #backwardInput} of every image, for input channels {@code [cLo, cHi)} only (the
     * elements {@code dx[:, c, :, :]}). Called only where {@link #splitsByChannels} is true.
     */
    default void backwardInputChannels(
            float[] dx, float[] dOut, float[] w, ConvGeom g, int cLo, int cHi) {
        throw new UnsupportedOperationException(
                "backwardInputChannels: not split by channels: " + g);
    }

    /**
     * {@link #backwardInput} with weights that stay as they are from call to call (a frozen network
     * differentiated into its input): a kernel may keep what it derives from them. The same values.
     */
    default void backwardInputFrozen(
            float[] dx, float[] dOut, float[] w, ConvGeom g, int nLo, int nHi) {
        backwardInput(dx, dOut, w, g, nLo, nHi);
    }

    /**
     * {@link #backwardInputChannels} with weights that stay as they are from call to call (a frozen
     * network differentiated into its input): a kernel may keep what it derives from them, as the
     * forward pass of inference does. The same values.
     */
    default void backwardInputChannelsFrozen(
            float[] dx, float[] dOut, float[] w, ConvGeom g, int cLo, int cHi) {
        backwardInputChannels(dx, dOut, w, g, cLo, cHi);
    }

    /**
     * Whether a convolution op should compute backwardWeight by chunks of images ({@link
     * #weightGradientChunks(float[], float[], float[], ConvGeom, int, int)}), each into a partial
     * sum of its own, then add the partial sums in chunk order ({@link #addWeightGradientChunks}):
     * where each part of an input-channel split would repeat work over every image.
     */
    default boolean splitsWeightGradientByImages(ConvGeom g) {
        return false;
    }

    /** The chunks of images of {@link #splitsWeightGradientByImages}; they depend on g alone. */
    default int weightGradientChunks(ConvGeom g) {
        throw new UnsupportedOperationException("weightGradientChunks: not split by images: " + g);
    }

    /**
     * Chunks {@code [jLo, jHi)}'s partial weight gradients, chunk j's into the K·OC floats at
     * {@code partials[j·K·OC]} (K = C·KH·KW), replacing what was there, laid out as the kernel's
     * {@link #addWeightGradientChunks} reads them (the SIMD im2col path as dwᵀ, pixel products as
     * dw).
     */
    default void weightGradientChunks(
            float[] partials, float[] dOut, float[] x, ConvGeom g, int jLo, int jHi) {
        throw new UnsupportedOperationException("weightGradientChunks: not split by images: " + g);
    }

    /**
     * {@code dw[:, k] +=} the sum of every chunk's partial, added in chunk order, for the columns
     * {@code k} in {@code [kLo, kHi)} of dw (OC, K). Overwrites chunk 0's partial with the sums.
     */
    default void addWeightGradientChunks(
            float[] dw, float[] partials, ConvGeom g, int kLo, int kHi) {
        throw new UnsupportedOperationException(
                "addWeightGradientChunks: not split by images: " + g);
    }

    /**
     * Whether a convolution op should split backwardWeight over output channels ({@link
     * #backwardWeightOutChannels}) instead of input channels: with a single input channel (a
     * network's first convolution, a decoder's last transposed one) the input-channel split has one
     * part, and every other thread would wait for it; or where a kernel's parts by input channel
     * would each repeat work over all of dOut.
     */
    default boolean splitsWeightGradientByOutChannels(ConvGeom g) {
        return false;
    }

    /**
     * {@link #backwardWeight} of every input channel, for output channels {@code [ocLo, ocHi)} only
     * (the weights {@code w[oc, :, :, :]}). Called only where {@link
     * #splitsWeightGradientByOutChannels} is true.
     */
    default void backwardWeightOutChannels(
            float[] dw, float[] dOut, float[] x, ConvGeom g, int ocLo, int ocHi) {
        throw new UnsupportedOperationException(
                "backwardWeightOutChannels: not split by output channels: " + g);
    }

    /**
     * A form of one operand that every part of a split call would otherwise derive for itself in
     * full: rearranged weights, say, that each image part of a forward call reads whole. Where a
     * kernel derives one ({@link #sharedSize} above 0), the op derives it once, split over the pool
     * by {@link #extent} ({@link #share}), and hands it to every part ({@link #forwardShared},
     * {@link #backwardInputShared}).
     */
    enum Shared {
        /** forward's weights, split over output channels; for the image parts of forward. */
        FORWARD_WEIGHTS,
        /** the weights, split over input channels; for the image parts of backwardInput. */
        INPUT_GRADIENT_WEIGHTS;

        /** The range {@link #share} splits: output channels or input channels. */
        public int extent(ConvGeom g) {
            return this == FORWARD_WEIGHTS ? g.OC : g.C;
        }
    }

    /** Floats of the shared form {@code what} of g's calls, or 0 where the parts derive none. */
    default int sharedSize(Shared what, ConvGeom g) {
        return 0;
    }

    /**
     * Writes part {@code [lo, hi)} of {@link Shared#extent} of the shared form {@code what},
     * derived from {@code from} (the weights), into {@code shared}. Called only where {@link
     * #sharedSize} is above 0.
     */
    default void share(Shared what, float[] shared, float[] from, ConvGeom g, int lo, int hi) {
        throw new UnsupportedOperationException("share: no shared form " + what + " for " + g);
    }

    /**
     * {@link #forward} for images {@code [nLo, nHi)} with the weights' {@link
     * Shared#FORWARD_WEIGHTS} form instead of the weights. The same values.
     */
    default void forwardShared(
            float[] out,
            float[] x,
            float[] shared,
            float[] b,
            ConvGeom g,
            boolean accumulate,
            int nLo,
            int nHi) {
        throw new UnsupportedOperationException("forwardShared: no shared form for " + g);
    }

    /**
     * {@link #backwardInput} for images {@code [nLo, nHi)} with the weights' {@link
     * Shared#INPUT_GRADIENT_WEIGHTS} form instead of the weights. The same values.
     */
    default void backwardInputShared(
            float[] dx, float[] dOut, float[] shared, ConvGeom g, int nLo, int nHi) {
        throw new UnsupportedOperationException("backwardInputShared: no shared form for " + g);
    }
}
