package org.cladec.engine.ops;

import org.cladec.engine.autograd.Autograd;
import org.cladec.engine.autograd.Op;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.tensor.Checks;
import org.cladec.engine.tensor.Tensor;

/**
 * Mean binary cross-entropy of probabilities p in [0, 1] against targets t, as {@code
 * binary_cross_entropy}; logs are clamped at −100 like PyTorch. The target gets no gradient.
 */
final class Bce implements Op {
    private Tensor p, t;

    static Tensor apply(Tensor p, Tensor t) {
        Checks.sameShape(p, t, "binary_cross_entropy");
        if (p.size() == 0) throw new IllegalArgumentException("binary_cross_entropy: empty input");
        if (t.requiresGrad() && Autograd.isEnabled()) {
            throw new IllegalArgumentException(
                    "binary_cross_entropy: the derivative for the target is not implemented; detach it");
        }
        Tensor pd = p.dense(), td = t.dense();
        float[] pv = pd.data();
        for (int i = 0; i < p.size(); i++) {
            if (!(pv[i] >= 0f && pv[i] <= 1f)) {
                throw new IllegalArgumentException(
                        "binary_cross_entropy: input values must be in [0, 1], but element "
                                + i
                                + " is "
                                + pv[i]);
            }
        }
        Tensor out =
                Tensor.scalar(
                        (float)
                                (Kernels.loss().binaryCrossEntropy(pv, td.data(), p.size())
                                        / p.size()));
        if (Autograd.needsGrad(p)) {
            Bce op = new Bce();
            op.p = pd;
            op.t = td;
            Autograd.record(out, op, p, t);
        }
        return out;
    }

    @Override
    public void backward(Tensor dOut, Tensor[] dIn) {
        if (dIn[0] != null)
            Kernels.loss()
                    .binaryCrossEntropyBackwardAcc(
                            dIn[0].data(), p.data(), t.data(), dOut.item() / p.size(), p.size());
        p = t = null;
    }
}
