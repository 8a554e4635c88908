package org.cladec.engine.nn;

import org.cladec.engine.autograd.Autograd;
import org.cladec.engine.ops.F;
import org.cladec.engine.tensor.Tensor;

/**
 * Batch normalisation over channel dimension 1, as {@code torch.nn.BatchNorm2d} (input (N, C, H,
 * W)) and {@code BatchNorm1d} (input (N, C) or (N, C, L)); see {@link #of2d} and {@link #of1d}.
 * Entries: {@code weight}, {@code bias}, {@code running_mean}, {@code running_var}, {@code
 * num_batches_tracked}.
 */
public final class BatchNorm extends Module {
    private final int channels, rank;
    private final float eps, momentum;
    private final Tensor weight, bias, runningMean, runningVar, numBatchesTracked;

    private BatchNorm(int channels, int rank, float eps, float momentum) {
        if (channels <= 0)
            throw new IllegalArgumentException(
                    "BatchNorm: channels must be positive, but got " + channels);
        if (!(momentum >= 0f && momentum <= 1f))
            throw new IllegalArgumentException(
                    "BatchNorm: momentum must be in [0, 1], but got " + momentum);
        if (!(eps > 0f))
            throw new IllegalArgumentException("BatchNorm: eps must be positive, but got " + eps);
        this.channels = channels;
        this.rank = rank;
        this.eps = eps;
        this.momentum = momentum;
        this.weight = registerParameter("weight", Tensor.wrap(filled(channels, 1f), channels));
        this.bias = registerParameter("bias", Tensor.wrap(new float[channels], channels));
        this.runningMean =
                registerBuffer("running_mean", Tensor.wrap(new float[channels], channels));
        this.runningVar =
                registerBuffer("running_var", Tensor.wrap(filled(channels, 1f), channels));
        this.numBatchesTracked =
                registerIntegralBuffer("num_batches_tracked", Tensor.wrap(new float[1]));
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    /** BatchNorm2d with PyTorch's defaults (eps 1e-5, momentum 0.1). */
    public static BatchNorm of2d(int channels) {
        return new BatchNorm(channels, 4, 1e-5f, 0.1f);
    }

    /** BatchNorm2d with the given eps and momentum. */
    public static BatchNorm of2d(int channels, float eps, float momentum) {
        return new BatchNorm(channels, 4, eps, momentum);
    }

    /** BatchNorm1d with PyTorch's defaults, for inputs (N, C) or (N, C, L). */
    public static BatchNorm of1d(int channels) {
        return new BatchNorm(channels, 2, 1e-5f, 0.1f);
    }

    /** The scale γ (C), a parameter. */
    public Tensor weight() {
        return weight;
    }

    /** The shift β (C), a parameter. */
    public Tensor bias() {
        return bias;
    }

    /** The running mean (C), a buffer updated in training mode. */
    public Tensor runningMean() {
        return runningMean;
    }

    /** The running (unbiased) variance (C), a buffer updated in training mode. */
    public Tensor runningVar() {
        return runningVar;
    }

    /** Number of training batches seen (PyTorch's {@code num_batches_tracked}). */
    public long batchesTracked() {
        return (long) numBatchesTracked.data()[0];
    }

    @Override
    public Tensor forward(Tensor x) {
        checkInput(x.shapeRef());
        if (isTraining()) numBatchesTracked.data()[0] += 1;
        return F.batchNorm(x, runningMean, runningVar, weight, bias, isTraining(), momentum, eps);
    }

    /**
     * {@code relu(forward(x))} in one pass each way ({@link F#batchNormRelu}), for the common conv,
     * batch norm, ReLU block.
     */
    public Tensor forwardRelu(Tensor x) {
        checkInput(x.shapeRef());
        if (isTraining()) numBatchesTracked.data()[0] += 1;
        return F.batchNormRelu(
                x, runningMean, runningVar, weight, bias, isTraining(), momentum, eps);
    }

    /**
     * {@code forwardRelu(conv.forward(x))}. In eval mode, when no parameter needs a gradient (under
     * {@link org.cladec.engine.autograd.NoGrad}, or a frozen network; x may need one) and the
     * convolution has no bias, the normalisation and ReLU are applied as the convolution stores its
     * output ({@link F#conv2dBatchNormRelu}): one pass over the activations fewer each way, the
     * same values.
     */
    public Tensor forwardRelu(Conv2d conv, Tensor x) {
        if (isTraining()
                || conv.bias() != null
                || Autograd.needsGrad(conv.weight(), weight, bias)) {
            return forwardRelu(conv.forward(x));
        }
        checkInput(conv.outputShape(x.shapeRef()));
        return F.conv2dBatchNormRelu(
                x,
                conv.weight(),
                conv.stride(),
                conv.padding(),
                runningMean,
                runningVar,
                weight,
                bias,
                eps);
    }

    private void checkInput(int[] s) {
        String name = rank == 4 ? "BatchNorm2d(" + channels + ")" : "BatchNorm1d(" + channels + ")";
        if (rank == 4) expectShape(s, name, -1, channels, -1, -1);
        else if (s.length == 3) expectShape(s, name, -1, channels, -1);
        else expectShape(s, name, -1, channels);
    }

    @Override
    public int[] outputShape(int[] s) {
        checkInput(s);
        return s.clone();
    }
}
