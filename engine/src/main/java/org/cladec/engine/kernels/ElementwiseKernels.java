package org.cladec.engine.kernels;

/**
 * Element-wise kernels on dense arrays of {@code n} elements starting at index 0, and the strided
 * binary kernels behind broadcasting. Gradient kernels ({@code ...Acc}) add into their first
 * argument.
 */
public interface ElementwiseKernels {
    /** The four broadcasting binary operations. */
    enum Binary {
        ADD,
        SUB,
        MUL,
        DIV
    }

    /**
     * {@code out[p] = a[i] op b[j]} for every index of {@code shape} in row-major order p, where
     * {@code i = aOff + Σ idx·aStrides} and likewise j; a stride of 0 broadcasts. out is dense.
     */
    void binary(
            Binary op,
            float[] out,
            float[] a,
            int aOff,
            int[] aStrides,
            float[] b,
            int bOff,
            int[] bStrides,
            int[] shape);

    /**
     * Reduces a dense {@code src} of {@code shape} into {@code dst}: {@code dst[Σ idx·dstStrides]
     * += src[p]}. A stride of 0 sums over that dimension (the backward of broadcasting).
     */
    void reduceAcc(float[] dst, int[] dstStrides, float[] src, int[] shape);

    /** {@code out[i] = a[i] · s}. */
    void scale(float[] out, float[] a, float s, int n);

    /** {@code y[i] += alpha · x[i]}. */
    void axpy(float[] y, float alpha, float[] x, int n);

    /** {@code Σ x[i]}, accumulated in double. */
    double sum(float[] x, int n);

    /**
     * Per-channel sum for (N, C, HW) layouts: {@code db[c] += Σ_{n,i} x[(n·C + c)·HW + i]}, c in
     * [cLo, cHi).
     */
    void channelSumAcc(float[] db, float[] x, int N, int C, int HW, int cLo, int cHi);

    /**
     * Per-channel add for (N, C, HW) layouts: {@code x[(n·C + c)·HW + i] += b[c]}, images [nLo,
     * nHi).
     */
    void channelAdd(float[] x, float[] b, int N, int C, int HW, int nLo, int nHi);

    // The activations work on the index range [lo, hi), so an op can split one over threads.

    /** {@code out = max(x, 0)}. */
    void relu(float[] out, float[] x, int lo, int hi);

    /** {@code dx += out > 0 ? dOut : 0}, from ReLU's output. */
    void reluBackwardAcc(float[] dx, float[] dOut, float[] out, int lo, int hi);

    /** {@code out = x > 0 ? x : slope·x}. */
    void leakyRelu(float[] out, float[] x, float slope, int lo, int hi);

    /** {@code dx += x > 0 ? dOut : slope·dOut}, from the op's input. */
    void leakyReluBackwardAcc(float[] dx, float[] dOut, float[] x, float slope, int lo, int hi);

    /** {@code out = 1 / (1 + e^−x)}, computed without overflow for large |x|. */
    void sigmoid(float[] out, float[] x, int lo, int hi);

    /** {@code dx += dOut · out · (1 − out)}, from the sigmoid's output. */
    void sigmoidBackwardAcc(float[] dx, float[] dOut, float[] out, int lo, int hi);

    /** {@code out = tanh(x)}. */
    void tanh(float[] out, float[] x, int lo, int hi);

    /** {@code dx += dOut · (1 − out²)}, from tanh's output. */
    void tanhBackwardAcc(float[] dx, float[] dOut, float[] out, int lo, int hi);

    /** {@code out = x · mask} on {@code [lo, hi)} (dropout; mask holds 0 or 1/(1−p)). */
    void mul(float[] out, float[] x, float[] mask, int lo, int hi);

    /** {@code dx += dOut · mask}. */
    void mulAcc(float[] dx, float[] dOut, float[] mask, int n);
}
