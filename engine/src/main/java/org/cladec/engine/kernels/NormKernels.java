package org.cladec.engine.kernels;

/**
 * Batch-normalisation kernels over dense (N, C, HW) arrays (HW = 1 for BatchNorm1d on (N, C)).
 * Every method works on a range of images, or of {@link #BLOCK}-image blocks, so a split over them
 * writes disjoint data; the op combines the blocks' sums and derives the per-channel factors.
 *
 * <p>With {@code M = N·HW}, {@code x̂ = (x − mean)·invStd} and {@code y = γ·x̂ + β}.
 */
public interface NormKernels {
    /**
     * The factor {@link #normalize} applies to channel c, {@code invStd[c]·γ[c]} (γ = 1 when gamma
     * is null); with {@link #shift}, the one place this arithmetic is written, so that the
     * convolution's folded batch norm gives normalize's bits.
     */
    static float scale(float[] invStd, float[] gamma, int c) {
        return invStd[c] * (gamma == null ? 1f : gamma[c]);
    }

    /** The offset {@link #normalize} adds after {@link #scale}: {@code β[c] − mean[c]·scale}. */
    static float shift(float[] mean, float[] beta, int c, float scale) {
        return (beta == null ? 0f : beta[c]) - mean[c] * scale;
    }

    /**
     * Images per block of {@link #blockSums} and {@link #gradientSums}. A batch statistic is the
     * blocks' partial sums added in block order, so it does not depend on how the blocks are split
     * among threads, and a thread splitting by blocks reads only its own images: the ones the
     * convolution before it (split by images too) has just written into its cache.
     */
    int BLOCK = 8;

    /** The number of {@link #BLOCK}-image blocks of a batch of N, the last one maybe shorter. */
    static int blocks(int N) {
        return (N + BLOCK - 1) / BLOCK;
    }

    /**
     * Per block b in [bLo, bHi) and channel c: {@code part[b·C + c] = Σ x[n, c, ·]} over the
     * block's images n and the plane, or, when mean is given, {@code Σ (x[n, c, ·] − mean[c])²}
     * (the second pass of a two-pass variance).
     */
    void blockSums(double[] part, float[] x, float[] mean, int N, int C, int HW, int bLo, int bHi);

    /**
     * {@code out = γ·(x − mean)·invStd + β}, then {@code max(out, 0)} when {@code relu} (NaN kept,
     * as {@link ElementwiseKernels#relu}), for images [nLo, nHi); gamma and beta may be null (no
     * affine transform).
     */
    void normalize(
            float[] out,
            float[] x,
            float[] mean,
            float[] invStd,
            float[] gamma,
            float[] beta,
            boolean relu,
            int N,
            int C,
            int HW,
            int nLo,
            int nHi);

    /**
     * The sums a batch norm's backward pass needs, per block b in [bLo, bHi) and channel c: {@code
     * sumDy[b·C + c] = Σ dy} and {@code sumDyX[b·C + c] = Σ dy·(x − mean[c])} over the block's
     * images and the plane, dy being dOut, or 0 where reluOut (if given) is not positive: the
     * gradients of {@code relu(batchNorm(x))}, with no separate pass for the ReLU.
     */
    void gradientSums(
            double[] sumDy,
            double[] sumDyX,
            float[] dOut,
            float[] reluOut,
            float[] x,
            float[] mean,
            int N,
            int C,
            int HW,
            int bLo,
            int bHi);

    /**
     * {@code dx[n, c, ·] += k[c]·dy + (x[n, c, ·] − mean[c])·kb[c] + ka[c]} for images [nLo, nHi),
     * dy as in {@link #gradientSums}. With the batch statistics' sums, {@code k = γ·invStd}, {@code
     * ka = −k·Σdy/M} and {@code kb = −k·invStd²·Σdy·(x − mean)/M} make it the training input
     * gradient {@code γ·invStd/M · (M·dy − Σ dy − x̂·Σ dy·x̂)}.
     */
    void inputGradient(
            float[] dx,
            float[] dOut,
            float[] reluOut,
            float[] x,
            float[] mean,
            float[] k,
            float[] ka,
            float[] kb,
            int N,
            int C,
            int HW,
            int nLo,
            int nHi);

    /**
     * The input gradient of an eval-mode batch norm whose γ and β need none, for images [nLo, nHi):
     * {@code dst = scale[c]·dy} ({@code +=} when {@code accumulate}), dy as in {@link
     * #gradientSums}. With scale from {@link #scale} it is the eval-mode input gradient; a
     * convolution with a folded batch norm and ReLU takes it into the convolution's input gradient.
     */
    void scaledGradient(
            float[] dst,
            boolean accumulate,
            float[] dOut,
            float[] reluOut,
            float[] scale,
            int N,
            int C,
            int HW,
            int nLo,
            int nHi);
}
