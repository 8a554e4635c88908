package org.cladec.engine.ops;

import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;

/**
 * The differentiable ops, named after {@code torch.nn.functional}. Every method records autograd
 * history when an input requires a gradient and gradients are enabled, and validates shapes with an
 * {@link IllegalArgumentException} that names the op and the shapes involved.
 */
public final class F {
    private F() {}

    // ---------------------------------------------------------------- arithmetic (NumPy
    // broadcasting)

    /** {@code a + b}. */
    public static Tensor add(Tensor a, Tensor b) {
        return Add.apply(a, b);
    }

    /** {@code a + s}. */
    public static Tensor add(Tensor a, float s) {
        return Add.apply(a, Tensor.scalar(s));
    }

    /** {@code a − b}. */
    public static Tensor sub(Tensor a, Tensor b) {
        return Sub.apply(a, b);
    }

    /** {@code a · b} element-wise. */
    public static Tensor mul(Tensor a, Tensor b) {
        return Mul.apply(a, b);
    }

    /** {@code a · s}. */
    public static Tensor mul(Tensor a, float s) {
        return Mul.apply(a, Tensor.scalar(s));
    }

    /** {@code a / b} element-wise. */
    public static Tensor div(Tensor a, Tensor b) {
        return Div.apply(a, b);
    }

    /** Sum of all elements (rank 0). */
    public static Tensor sum(Tensor x) {
        return Sum.apply(x, false);
    }

    /** Mean of all elements (rank 0). */
    public static Tensor mean(Tensor x) {
        return Sum.apply(x, true);
    }

    // ---------------------------------------------------------------- linear algebra and
    // convolution

    /** {@code a (M, K) · b (K, N)}. */
    public static Tensor matmul(Tensor a, Tensor b) {
        return MatMul.apply(a, b);
    }

    /** {@code x (N, IN) · wᵀ + b} with w (OUT, IN), b (OUT) or null. */
    public static Tensor linear(Tensor x, Tensor w, Tensor b) {
        return Linear.apply(x, w, b);
    }

    /**
     * Convolution of x (N, C, H, W) with w (OC, C, KH, KW), bias (OC) or null, square stride and
     * padding.
     */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor b, int stride, int padding) {
        return Conv2d.apply(x, w, b, stride, stride, padding, padding);
    }

    /** Convolution with separate vertical and horizontal stride and padding. */
    public static Tensor conv2d(
            Tensor x, Tensor w, Tensor b, int strideH, int strideW, int padH, int padW) {
        return Conv2d.apply(x, w, b, strideH, strideW, padH, padW);
    }

    /**
     * Transposed convolution of x (N, Cin, H, W) with w (Cin, Cout, KH, KW), bias (Cout) or null;
     * the output is {@code (H − 1)·stride − 2·padding + KH + outputPadding} high.
     */
    public static Tensor convTranspose2d(
            Tensor x, Tensor w, Tensor b, int stride, int padding, int outputPadding) {
        return ConvTranspose2d.apply(
                x, w, b, stride, stride, padding, padding, outputPadding, outputPadding);
    }

    /** Transposed convolution with separate vertical and horizontal parameters. */
    public static Tensor convTranspose2d(
            Tensor x,
            Tensor w,
            Tensor b,
            int strideH,
            int strideW,
            int padH,
            int padW,
            int outPadH,
            int outPadW) {
        return ConvTranspose2d.apply(x, w, b, strideH, strideW, padH, padW, outPadH, outPadW);
    }

    /**
     * Batch normalisation of x (N, C, *) over channel dimension 1. In training, batch statistics
     * are used and the running statistics (if given) are updated in place with {@code momentum};
     * otherwise the running statistics are used. gamma and beta may be null.
     */
    public static Tensor batchNorm(
            Tensor x,
            Tensor runningMean,
            Tensor runningVar,
            Tensor gamma,
            Tensor beta,
            boolean training,
            float momentum,
            float eps) {
        return BatchNorm.apply(
                x, runningMean, runningVar, gamma, beta, training, momentum, eps, false);
    }

    /**
     * {@code relu(batchNorm(...))} fused: one pass over the activations forward and one backward
     * instead of two each; same arguments as {@link #batchNorm}.
     */
    public static Tensor batchNormRelu(
            Tensor x,
            Tensor runningMean,
            Tensor runningVar,
            Tensor gamma,
            Tensor beta,
            boolean training,
            float momentum,
            float eps) {
        return BatchNorm.apply(
                x, runningMean, runningVar, gamma, beta, training, momentum, eps, true);
    }

    /**
     * {@code batchNormRelu(conv2d(x, w, null, stride, padding), ...)} in eval mode (running
     * statistics), with the normalisation and ReLU applied as the convolution stores its output:
     * one pass over the activations fewer, the same values. For inference and for a frozen network
     * differentiated into its input: it records a gradient for x only and throws if w, gamma or
     * beta needs one.
     */
    public static Tensor conv2dBatchNormRelu(
            Tensor x,
            Tensor w,
            int stride,
            int padding,
            Tensor runningMean,
            Tensor runningVar,
            Tensor gamma,
            Tensor beta,
            float eps) {
        return Conv2d.applyBatchNormRelu(
                x, w, stride, stride, padding, padding, runningMean, runningVar, gamma, beta, eps);
    }

    // ---------------------------------------------------------------- activations

    /** {@code max(x, 0)}. */
    public static Tensor relu(Tensor x) {
        return Relu.apply(x);
    }

    /** {@code x > 0 ? x : slope·x}. */
    public static Tensor leakyRelu(Tensor x, float slope) {
        return LeakyRelu.apply(x, slope);
    }

    /** The logistic function. */
    public static Tensor sigmoid(Tensor x) {
        return Sigmoid.apply(x);
    }

    /** Hyperbolic tangent. */
    public static Tensor tanh(Tensor x) {
        return Tanh.apply(x);
    }

    // ---------------------------------------------------------------- pooling, dropout, shapes

    /** Max pooling with a square window. */
    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding) {
        return Pool2d.apply(x, true, kernel, kernel, stride, stride, padding, padding);
    }

    /** Average pooling with a square window (padding counts in the divisor). */
    public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding) {
        return Pool2d.apply(x, false, kernel, kernel, stride, stride, padding, padding);
    }

    /** Global average pooling: (N, C, H, W) to (N, C, 1, 1). */
    public static Tensor globalAvgPool2d(Tensor x) {
        if (x.dim() != 4)
            return Pool2d.apply(x, false, 1, 1, 1, 1, 0, 0); // let Pool2d report the shape
        return Pool2d.apply(x, false, x.shape(2), x.shape(3), 1, 1, 0, 0);
    }

    /** Inverted dropout with probability p in training; the identity otherwise. */
    public static Tensor dropout(Tensor x, float p, boolean training, Rng rng) {
        return Dropout.apply(x, p, training, rng);
    }

    /** A differentiable reshape (one dimension may be −1). */
    public static Tensor reshape(Tensor x, int... shape) {
        return Reshape.apply(x, shape);
    }

    /** (N, ...) to (N, rest). */
    public static Tensor flatten(Tensor x) {
        if (x.dim() < 1)
            throw new IllegalArgumentException(
                    "flatten: expected at least 1 dimension, but got a scalar");
        return Reshape.apply(x, x.shape(0), x.shape(0) == 0 ? 0 : x.size() / x.shape(0));
    }

    // ---------------------------------------------------------------- losses (mean reduction)

    /** Mean softmax cross-entropy of logits (N, K) against labels in [0, K). */
    public static Tensor crossEntropy(Tensor logits, int[] labels) {
        return CrossEntropy.apply(logits, labels);
    }

    /** Mean squared error. */
    public static Tensor mse(Tensor a, Tensor b) {
        return Mse.apply(a, b);
    }

    /** Mean binary cross-entropy of probabilities against targets. */
    public static Tensor bce(Tensor p, Tensor t) {
        return Bce.apply(p, t);
    }
}
