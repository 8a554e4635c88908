package org.cladec.engine.ops;

import org.cladec.engine.autograd.Autograd;
import org.cladec.engine.autograd.Op;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.tensor.Shape;
import org.cladec.engine.tensor.Tensor;
import org.cladec.engine.tensor.Workspace;

/**
 * Mean softmax cross-entropy of logits (N, K) against class indices, as {@code
 * torch.nn.functional.cross_entropy}. Saves the softmax: d/dlogits = (softmax − onehot)/N.
 */
final class CrossEntropy implements Op {
    private float[] probs;
    private int[] labels;
    private int N, K;

    static Tensor apply(Tensor logits, int[] labels) {
        if (logits.dim() != 2) {
            throw new IllegalArgumentException(
                    "cross_entropy: expected logits (N, K), but got "
                            + Shape.str(logits.shapeRef()));
        }
        int N = logits.shape(0), K = logits.shape(1);
        if (labels.length != N) {
            throw new IllegalArgumentException(
                    "cross_entropy: "
                            + N
                            + " rows of logits "
                            + Shape.str(logits.shapeRef())
                            + " but "
                            + labels.length
                            + " labels");
        }
        if (N == 0) throw new IllegalArgumentException("cross_entropy: empty batch");
        for (int i = 0; i < N; i++) {
            if (labels[i] < 0 || labels[i] >= K) {
                throw new IllegalArgumentException(
                        "cross_entropy: label "
                                + labels[i]
                                + " at index "
                                + i
                                + " is outside [0, "
                                + K
                                + ")");
            }
        }
        Tensor ld = logits.dense();
        float[] probs = Workspace.floats(N * K);
        double sum = Kernels.loss().softmaxCrossEntropy(probs, ld.data(), labels, N, K);
        Tensor out = Tensor.scalar((float) (sum / N));
        if (Autograd.needsGrad(logits)) {
            CrossEntropy op = new CrossEntropy();
            op.probs = probs;
            op.labels = labels.clone();
            op.N = N;
            op.K = K;
            Autograd.record(out, op, logits);
        }
        return out;
    }

    @Override
    public void backward(Tensor dOut, Tensor[] dIn) {
        if (dIn[0] != null)
            Kernels.loss()
                    .softmaxCrossEntropyBackwardAcc(
                            dIn[0].data(), probs, labels, dOut.item() / N, N, K);
        probs = null;
    }
}
