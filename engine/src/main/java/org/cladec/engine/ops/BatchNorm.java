package org.cladec.engine.ops;

import org.cladec.engine.autograd.Autograd;
import org.cladec.engine.autograd.Op;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.kernels.NormKernels;
import org.cladec.engine.parallel.Parallel;
import org.cladec.engine.tensor.Shape;
import org.cladec.engine.tensor.Tensor;
import org.cladec.engine.tensor.Workspace;

/**
 * Batch normalisation over channel dimension 1 of x (N, C, *), as {@code
 * torch.nn.functional.batch_norm}.
 *
 * <p>Training: normalise with the batch mean and biased variance over N and the trailing
 * dimensions, and update the running statistics in place with {@code running = (1 −
 * momentum)·running + momentum·batch}, the variance unbiased (× M/(M − 1)). Evaluation: normalise
 * with the running statistics. Saves x, mean and 1/sqrt(var + eps) for backward.
 *
 * <p>With {@code relu}, it is {@code relu(batch_norm(x))} in one pass each way: the output is
 * clamped as it is written and saved, and backward takes dOut only where it is positive.
 */
final class BatchNorm implements Op {
    private Tensor x, gamma, reluOut;
    private float[] mean, invStd;
    private boolean batchStats;

    static Tensor apply(
            Tensor x,
            Tensor runningMean,
            Tensor runningVar,
            Tensor gamma,
            Tensor beta,
            boolean training,
            float momentum,
            float eps,
            boolean relu) {
        if (x.dim() < 2)
            throw new IllegalArgumentException(
                    "batch_norm: expected input (N, C, ...), but got " + Shape.str(x.shapeRef()));
        int N = x.shape(0), C = x.shape(1), HW = x.size() / Math.max(1, N * C);
        checkChannels(runningMean, C, "running_mean", x);
        checkChannels(runningVar, C, "running_var", x);
        checkChannels(gamma, C, "weight", x);
        checkChannels(beta, C, "bias", x);
        boolean batchStats = training || runningMean == null || runningVar == null;
        int M = N * HW;
        if (batchStats && M <= 1) {
            throw new IllegalArgumentException(
                    "batch_norm: expected more than 1 value per channel when training, but got input "
                            + Shape.str(x.shapeRef()));
        }
        Tensor xd = x.dense();
        float[] mean = Workspace.floats(C), invStd = Workspace.floats(C);
        NormKernels k = Kernels.norm();
        float[] xa = xd.data();
        int perImage = C * HW;
        if (batchStats) {
            float[] var = Workspace.floats(C);
            int blocks = NormKernels.blocks(N);
            double[] part = parts(0, blocks * C);
            int minBlocks = minBlocks(perImage);
            Parallel.forRange(
                    blocks, minBlocks, (lo, hi) -> k.blockSums(part, xa, null, N, C, HW, lo, hi));
            combine(part, blocks, C, M, mean);
            Parallel.forRange(
                    blocks, minBlocks, (lo, hi) -> k.blockSums(part, xa, mean, N, C, HW, lo, hi));
            combine(part, blocks, C, M, var);
            for (int c = 0; c < C; c++) invStd[c] = invStd(var[c], eps);
            if (training && runningMean != null && runningVar != null) {
                float[] rm = runningMean.data(), rv = runningVar.data();
                int om = runningMean.offset(), ov = runningVar.offset();
                float unbias = (float) M / (M - 1);
                for (int c = 0; c < C; c++) {
                    rm[om + c] = (1 - momentum) * rm[om + c] + momentum * mean[c];
                    rv[ov + c] = (1 - momentum) * rv[ov + c] + momentum * var[c] * unbias;
                }
            }
        } else {
            runningStats(runningMean, runningVar, eps, C, mean, invStd);
        }
        float[] g = gamma == null ? null : gamma.dense().data(),
                b = beta == null ? null : beta.dense().data();
        Tensor out = Tensor.empty(x.shapeRef());
        float[] o = out.data();
        Parallel.forRange(
                N,
                minImages(perImage),
                (lo, hi) -> k.normalize(o, xa, mean, invStd, g, b, relu, N, C, HW, lo, hi));
        if (Autograd.needsGrad(x, gamma, beta)) {
            BatchNorm op = new BatchNorm();
            op.x = xd;
            op.gamma = gamma == null ? null : gamma.dense();
            op.mean = mean;
            op.invStd = invStd;
            op.batchStats = batchStats;
            op.reluOut = relu ? out : null;
            Autograd.record(out, op, x, gamma, beta);
        }
        return out;
    }

    /**
     * The fewest images worth a part of their own in a split of {@link NormKernels}' work, images
     * of {@code perImage} floats: about {@link Parallel#MIN_ELEMENTS} floats.
     */
    static int minImages(int perImage) {
        return Math.max(1, Parallel.MIN_ELEMENTS / Math.max(1, perImage));
    }

    /** {@link #minImages} in blocks of {@link NormKernels#BLOCK} images. */
    private static int minBlocks(int perImage) {
        return Math.max(1, minImages(perImage) / NormKernels.BLOCK);
    }

    /** Per calling thread: the blocks' partial sums, grown once. */
    private static final ThreadLocal<double[][]> PARTS =
            ThreadLocal.withInitial(() -> new double[2][0]);

    private static double[] parts(int i, int n) {
        double[][] p = PARTS.get();
        if (p[i].length < n) p[i] = new double[n];
        return p[i];
    }

    /**
     * {@code into[c] = Σ_b part[b·C + c] / M}, the blocks added in order: the same sum however the
     * blocks were split among threads.
     */
    private static void combine(double[] part, int blocks, int C, double M, float[] into) {
        for (int c = 0; c < C; c++) into[c] = (float) (blockTotal(part, blocks, C, c) / M);
    }

    private static double blockTotal(double[] part, int blocks, int C, int c) {
        double s = 0;
        for (int b = 0; b < blocks; b++) s += part[b * C + c];
        return s;
    }

    /** {@code 1/√(var + eps)}, computed in double and rounded once to float. */
    private static float invStd(float var, float eps) {
        return (float) (1.0 / Math.sqrt(var + (double) eps));
    }

    /** Eval mode's statistics: mean and invStd of channels [0, C) from the running ones. */
    static void runningStats(
            Tensor runningMean, Tensor runningVar, float eps, int C, float[] mean, float[] invStd) {
        float[] rm = runningMean.dense().data(), rv = runningVar.dense().data();
        for (int c = 0; c < C; c++) {
            mean[c] = rm[c];
            invStd[c] = invStd(rv[c], eps);
        }
    }

    private static void checkChannels(Tensor t, int C, String what, Tensor x) {
        checkChannels(t, C, what, x.shapeRef());
    }

    /** That t is null or of shape (C,), for a batch norm over an input of shape {@code input}. */
    static void checkChannels(Tensor t, int C, String what, int[] input) {
        if (t != null && (t.dim() != 1 || t.shape(0) != C)) {
            throw new IllegalArgumentException(
                    "batch_norm: expected "
                            + what
                            + " of shape ("
                            + C
                            + ",) for input "
                            + Shape.str(input)
                            + ", but got "
                            + Shape.str(t.shapeRef()));
        }
    }

    @Override
    public void backward(Tensor dOut, Tensor[] dIn) {
        int N = x.shape(0), C = x.shape(1), HW = x.size() / Math.max(1, N * C);
        float[] dx = dIn[0] == null ? null : dIn[0].data();
        float[] dg = dIn[1] == null ? null : dIn[1].data(),
                db = dIn[2] == null ? null : dIn[2].data();
        float[] g = gamma == null ? null : gamma.data();
        float[] dy = dOut.data(), xa = x.data(), ro = reluOut == null ? null : reluOut.data();
        float[] mu = mean; // the fields are cleared below; the lambdas take locals
        NormKernels k = Kernels.norm();
        int perImage = C * HW, minImages = minImages(perImage);
        float[] kc = Workspace.floats(C);
        for (int c = 0; c < C; c++) kc[c] = NormKernels.scale(invStd, g, c);
        if (!batchStats && dg == null && db == null) {
            // eval mode with frozen parameters (a frozen classifier differentiated into its
            // input): dx += k·dy alone, without the pass of sums the parameters' gradients need
            if (dx != null)
                Parallel.forRange(
                        N,
                        minImages,
                        (lo, hi) -> k.scaledGradient(dx, true, dy, ro, kc, N, C, HW, lo, hi));
        } else {
            int blocks = NormKernels.blocks(N);
            double[] sumDy = parts(0, blocks * C), sumDyX = parts(1, blocks * C);
            Parallel.forRange(
                    blocks,
                    minBlocks(perImage),
                    (lo, hi) -> k.gradientSums(sumDy, sumDyX, dy, ro, xa, mu, N, C, HW, lo, hi));
            float[] ka = Workspace.floats(C), kb = Workspace.floats(C);
            double m = (double) N * HW;
            for (int c = 0; c < C; c++) {
                double sDy = blockTotal(sumDy, blocks, C, c);
                double sDyXhat = blockTotal(sumDyX, blocks, C, c) * invStd[c];
                if (dg != null) dg[c] += (float) sDyXhat;
                if (db != null) db[c] += (float) sDy;
                // training: dx += k·(dy − mean(dy) − x̂·mean(dy·x̂)) = k·dy + (x − mean)·kb + ka
                ka[c] = batchStats ? (float) (-kc[c] * sDy / m) : 0f;
                kb[c] = batchStats ? (float) (-kc[c] * invStd[c] * (sDyXhat / m)) : 0f;
            }
            if (dx != null)
                Parallel.forRange(
                        N,
                        minImages,
                        (lo, hi) ->
                                k.inputGradient(dx, dy, ro, xa, mu, kc, ka, kb, N, C, HW, lo, hi));
        }
        x = gamma = reluOut = null;
        mean = invStd = null;
    }
}
