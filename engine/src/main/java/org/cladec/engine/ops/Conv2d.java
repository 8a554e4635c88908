package org.cladec.engine.ops;

import org.cladec.engine.autograd.Autograd;
import org.cladec.engine.autograd.Op;
import org.cladec.engine.kernels.ConvGeom;
import org.cladec.engine.kernels.ConvKernels;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.kernels.NormKernels;
import org.cladec.engine.parallel.Parallel;
import org.cladec.engine.tensor.Shape;
import org.cladec.engine.tensor.Tensor;
import org.cladec.engine.tensor.Workspace;

/**
 * 2-d convolution, as {@code torch.nn.functional.conv2d} without groups or dilation: x (N, C, H,
 * W), w (OC, C, KH, KW), b (OC) or null. Saves its (dense) input and weight for backward.
 */
final class Conv2d implements Op {
    private Tensor x, w;
    private ConvGeom g;

    static Tensor apply(Tensor x, Tensor w, Tensor b, int sh, int sw, int ph, int pw) {
        ConvGeom g = geometry(x, w, b, sh, sw, ph, pw);
        Tensor xd = x.dense(), wd = w.dense();
        float[] bd = b == null ? null : b.dense().data();
        Tensor out = Tensor.empty(g.N, g.OC, g.OH, g.OW);
        forward(out.data(), xd.data(), wd.data(), bd, g, false);
        if (Autograd.needsGrad(x, w, b)) {
            Conv2d op = new Conv2d();
            op.x = xd;
            op.w = wd;
            op.g = g;
            Autograd.record(out, op, x, w, b);
        }
        return out;
    }

    /**
     * conv2d without bias, then eval-mode batch norm (running statistics) and ReLU in the same pass
     * over the output ({@link ConvKernels#forwardScaleShiftRelu}), with the result of the two ops.
     * Records a gradient for x only (a frozen classifier differentiated into its input, as ClaDec's
     * decoder loss does), so it refuses a weight, gamma or beta that needs one.
     */
    static Tensor applyBatchNormRelu(
            Tensor x,
            Tensor w,
            int sh,
            int sw,
            int ph,
            int pw,
            Tensor runningMean,
            Tensor runningVar,
            Tensor gamma,
            Tensor beta,
            float eps) {
        if (Autograd.needsGrad(w, gamma, beta))
            throw new IllegalStateException(
                    "conv2d_batch_norm_relu: records a gradient for the input only, but the weight,"
                            + " gamma or beta requires one; use conv2d and batch_norm_relu");
        ConvGeom g = geometry(x, w, null, sh, sw, ph, pw);
        int[] normed = {g.N, g.OC, g.OH, g.OW}; // the batch norm's input
        BatchNorm.checkChannels(runningMean, g.OC, "running_mean", normed);
        BatchNorm.checkChannels(runningVar, g.OC, "running_var", normed);
        BatchNorm.checkChannels(gamma, g.OC, "weight", normed);
        BatchNorm.checkChannels(beta, g.OC, "bias", normed);
        if (runningMean == null || runningVar == null)
            throw new IllegalArgumentException(
                    "conv2d_batch_norm_relu: needs running_mean and running_var");
        float[] mean = Workspace.floats(g.OC), invStd = Workspace.floats(g.OC);
        float[] scale = Workspace.floats(g.OC), shift = Workspace.floats(g.OC);
        BatchNorm.runningStats(runningMean, runningVar, eps, g.OC, mean, invStd);
        float[] ga = gamma == null ? null : gamma.dense().data(),
                be = beta == null ? null : beta.dense().data();
        for (int c = 0; c < g.OC; c++) { // the factors normalize would apply
            scale[c] = NormKernels.scale(invStd, ga, c);
            shift[c] = NormKernels.shift(mean, be, c, scale[c]);
        }
        float[] xd = x.dense().data(), wd = w.dense().data();
        Tensor out = Tensor.empty(g.N, g.OC, g.OH, g.OW);
        float[] o = out.data();
        ConvKernels k = Kernels.conv();
        if (k.splitsByChannels(g))
            Parallel.forEqual( // parts keep their weights' packed forms per channel range
                    g.OC,
                    (lo, hi) ->
                            k.forwardChannelsScaleShiftRelu(o, xd, wd, scale, shift, g, lo, hi));
        else
            overImages(
                    k, g, (lo, hi) -> k.forwardScaleShiftRelu(o, xd, wd, scale, shift, g, lo, hi));
        if (Autograd.needsGrad(x))
            Autograd.record(out, new BatchNormRelu(out, w.dense(), scale, g), x);
        return out;
    }

    /**
     * The input gradient of {@link #applyBatchNormRelu}: dOut where the output is positive, times
     * the batch norm's scale per channel, then conv2d's input gradient. The scaled gradient is
     * written over dOut, an intermediate gradient nothing reads after this op.
     */
    private static final class BatchNormRelu implements Op {
        private Tensor out, w;
        private float[] scale;
        private final ConvGeom g;

        BatchNormRelu(Tensor out, Tensor w, float[] scale, ConvGeom g) {
            this.out = out;
            this.w = w;
            this.scale = scale;
            this.g = g;
        }

        @Override
        public void backward(Tensor dOut, Tensor[] dIn) {
            float[] d = dOut.data(), o = out.data(), sc = scale;
            int HW = g.OH * g.OW;
            Parallel.forRange(
                    g.N,
                    BatchNorm.minImages(g.OC * HW),
                    (lo, hi) ->
                            Kernels.norm()
                                    .scaledGradient(d, false, d, o, sc, g.N, g.OC, HW, lo, hi));
            inputGradient(dIn[0].data(), d, w.data(), g, true);
            out = w = null;
            scale = null;
        }
    }

    /** Checks conv2d's operands and returns its geometry. */
    private static ConvGeom geometry(Tensor x, Tensor w, Tensor b, int sh, int sw, int ph, int pw) {
        String shapes = "input " + Shape.str(x.shapeRef()) + ", weight " + Shape.str(w.shapeRef());
        if (x.dim() != 4 || w.dim() != 4)
            throw new IllegalArgumentException(
                    "conv2d: expected 4-d input and weight, but got " + shapes);
        if (x.shape(1) != w.shape(1)) {
            throw new IllegalArgumentException(
                    "conv2d: input has "
                            + x.shape(1)
                            + " channels but the weight expects "
                            + w.shape(1)
                            + ": "
                            + shapes);
        }
        if (b != null && (b.dim() != 1 || b.shape(0) != w.shape(0))) {
            throw new IllegalArgumentException(
                    "conv2d: expected bias ("
                            + w.shape(0)
                            + ",), but got "
                            + Shape.str(b.shapeRef()));
        }
        if (x.shape(2) + 2 * ph < w.shape(2) || x.shape(3) + 2 * pw < w.shape(3)) {
            throw new IllegalArgumentException(
                    "conv2d: kernel larger than the padded input: "
                            + shapes
                            + ", padding "
                            + ph
                            + "x"
                            + pw);
        }
        return ConvGeom.conv(
                x.shape(0),
                x.shape(1),
                x.shape(2),
                x.shape(3),
                w.shape(0),
                w.shape(2),
                w.shape(3),
                sh,
                sw,
                ph,
                pw);
    }

    @Override
    public void backward(Tensor dOut, Tensor[] dIn) {
        float[] d = dOut.data(), xd = x.data(), wd = w.data();
        ConvGeom g = this.g;
        if (dIn[0] != null) inputGradient(dIn[0].data(), d, wd, g, dIn[1] == null);
        float[] dw = dIn[1] == null ? null : dIn[1].data(),
                db = dIn[2] == null ? null : dIn[2].data();
        if (dw != null) weightGradient(dw, d, xd, g);
        if (db != null)
            Parallel.forRange(
                    g.OC,
                    (lo, hi) -> Kernels.ew().channelSumAcc(db, d, g.N, g.OC, g.OH * g.OW, lo, hi));
        x = w = null;
    }

    /**
     * {@code dx +=} the input gradient over the pool, split by images or input channels; {@code
     * frozen}: w is the same from call to call.
     */
    private static void inputGradient(
            float[] dx, float[] dOut, float[] w, ConvGeom g, boolean frozen) {
        ConvKernels k = Kernels.conv();
        boolean byChannels = k.splitsByChannels(g);
        if (byChannels && frozen)
            Parallel.forEqual( // parts keep their weights' packed forms per channel range
                    g.C, (lo, hi) -> k.backwardInputChannelsFrozen(dx, dOut, w, g, lo, hi));
        else if (byChannels)
            Parallel.forRange(g.C, (lo, hi) -> k.backwardInputChannels(dx, dOut, w, g, lo, hi));
        else if (frozen)
            overImages(k, g, (lo, hi) -> k.backwardInputFrozen(dx, dOut, w, g, lo, hi));
        else {
            float[] a = shared(k, ConvKernels.Shared.INPUT_GRADIENT_WEIGHTS, w, g);
            if (a != null)
                overImages(k, g, (lo, hi) -> k.backwardInputShared(dx, dOut, a, g, lo, hi));
            else overImages(k, g, (lo, hi) -> k.backwardInput(dx, dOut, w, g, lo, hi));
        }
    }

    /**
     * Runs {@code task} over g's images on the pool, every boundary between parts on the kernel's
     * {@link ConvKernels#imageGrain}: a part that starts elsewhere may leave a partial group of
     * images (pixel products; then only where no multiple fits, as in 64 images) or add some
     * elements' terms in another order (the fused col2im; then never: fewer images than two grains
     * run as one part), so every split of a convolution by images goes through here.
     */
    static void overImages(ConvKernels k, ConvGeom g, Parallel.RangeTask task) {
        if (k.imageGrainExact(g)) Parallel.forGroups(g.N, k.imageGrain(g), task);
        else Parallel.forAligned(g.N, k.imageGrain(g), task);
    }

    /**
     * The form {@code what} of {@code from} that every part of a split call would otherwise derive
     * for itself in full, derived once over the pool into workspace storage; null where the kernels
     * derive none.
     */
    static float[] shared(ConvKernels k, ConvKernels.Shared what, float[] from, ConvGeom g) {
        int size = k.sharedSize(what, g);
        if (size == 0) return null;
        float[] s = Workspace.floats(size);
        Parallel.forRange(what.extent(g), (lo, hi) -> k.share(what, s, from, g, lo, hi));
        return s;
    }

    /**
     * {@code out (=|+=) b + conv(x, w)} over the pool: split by images, or by output channels where
     * the kernel asks for it (the dense form). Also the transposed convolution's input gradient.
     */
    static void forward(float[] out, float[] x, float[] w, float[] b, ConvGeom g, boolean acc) {
        ConvKernels k = Kernels.conv();
        if (k.splitsByChannels(g)) {
            Parallel.forRange(g.OC, (lo, hi) -> k.forwardChannels(out, x, w, b, g, acc, lo, hi));
            return;
        }
        float[] a = shared(k, ConvKernels.Shared.FORWARD_WEIGHTS, w, g);
        if (a != null) overImages(k, g, (lo, hi) -> k.forwardShared(out, x, a, b, g, acc, lo, hi));
        else overImages(k, g, (lo, hi) -> k.forward(out, x, w, b, g, acc, lo, hi));
    }

    /**
     * {@code dw +=} the weight gradient over the pool: split by chunks of images, by output
     * channels or by input channels, as the kernel asks ({@link
     * ConvKernels#splitsWeightGradientByImages}, {@link
     * ConvKernels#splitsWeightGradientByOutChannels}). Also the transposed convolution's, with x
     * and dOut exchanged.
     */
    static void weightGradient(float[] dw, float[] dOut, float[] x, ConvGeom g) {
        ConvKernels k = Kernels.conv();
        if (k.splitsWeightGradientByImages(g)) {
            int K = g.C * g.KH * g.KW, chunks = k.weightGradientChunks(g);
            float[] parts = Workspace.floats(chunks * K * g.OC);
            Parallel.forRange(
                    chunks, (lo, hi) -> k.weightGradientChunks(parts, dOut, x, g, lo, hi));
            Parallel.forRange(K, (lo, hi) -> k.addWeightGradientChunks(dw, parts, g, lo, hi));
        } else if (k.splitsWeightGradientByOutChannels(g)) {
            Parallel.forRange(
                    g.OC, (lo, hi) -> k.backwardWeightOutChannels(dw, dOut, x, g, lo, hi));
        } else Parallel.forRange(g.C, (lo, hi) -> k.backwardWeight(dw, dOut, x, g, lo, hi));
    }
}
