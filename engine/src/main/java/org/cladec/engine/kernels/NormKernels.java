package org.cladec.engine.kernels;

/**
 * Batch-normalisation kernels over dense (N, C, HW) arrays (HW = 1 for BatchNorm1d on (N, C)).
 * Every method works on channels {@code [cLo, cHi)}, so a split over channels writes disjoint data.
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

    /** Batch statistics: {@code mean[c]} and the biased variance {@code var[c]} (divided by M). */
    void meanVar(float[] mean, float[] var, float[] x, int N, int C, int HW, int cLo, int cHi);

    /**
     * {@code out = γ·(x − mean)·invStd + β}, then {@code max(out, 0)} when {@code relu} (NaN kept,
     * as {@link ElementwiseKernels#relu}); gamma and beta may be null (no affine transform).
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
            int cLo,
            int cHi);

    /**
     * Accumulates the gradients: {@code dGamma += Σ dOut·x̂}, {@code dBeta += Σ dOut}, and {@code
     * dx}. With {@code batchStats} (training), mean and invStd were computed from x itself, so
     * {@code dx += γ·invStd/M · (M·dOut − Σ dOut − x̂·Σ dOut·x̂)}; otherwise (running statistics)
     * {@code dx += γ·invStd·dOut}. Any of dx, dGamma, dBeta may be null; gamma null means γ = 1.
     *
     * <p>With {@code reluOut} (the output of a normalisation with ReLU), dOut counts only where
     * reluOut {@literal >} 0: the gradients of {@code relu(batchNorm(x))}, with no separate pass
     * for the ReLU.
     */
    void backward(
            float[] dx,
            float[] dGamma,
            float[] dBeta,
            float[] dOut,
            float[] reluOut,
            float[] x,
            float[] mean,
            float[] invStd,
            float[] gamma,
            boolean batchStats,
            int N,
            int C,
            int HW,
            int cLo,
            int cHi);

    /**
     * The input gradient of an eval-mode batch norm whose γ and β need none, for channels [cLo,
     * cHi): {@code dst = scale[c]·dy} ({@code +=} when {@code accumulate}), dy being dOut, or 0
     * where reluOut (if given) is not positive. With scale from {@link #scale} it is {@link
     * #backward}'s dx when batchStats is false; a convolution with a folded batch norm and ReLU
     * takes it into the convolution's input gradient.
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
            int cLo,
            int cHi);
}
