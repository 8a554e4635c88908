package org.cladec.engine.ops;

import org.cladec.engine.autograd.Autograd;
import org.cladec.engine.autograd.Op;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.tensor.Checks;
import org.cladec.engine.tensor.Tensor;

/**
 * Mean squared error {@code mean((a − b)²)} of two tensors of the same shape, as {@code mse_loss}.
 */
final class Mse implements Op {
    private Tensor a, b;

    static Tensor apply(Tensor a, Tensor b) {
        Checks.sameShape(a, b, "mse_loss");
        if (a.size() == 0) throw new IllegalArgumentException("mse_loss: empty input");
        Tensor ad = a.dense(), bd = b.dense();
        Tensor out =
                Tensor.scalar(
                        (float)
                                (Kernels.loss().squaredError(ad.data(), bd.data(), a.size())
                                        / a.size()));
        if (Autograd.needsGrad(a, b)) {
            Mse op = new Mse();
            op.a = ad;
            op.b = bd;
            Autograd.record(out, op, a, b);
        }
        return out;
    }

    @Override
    public void backward(Tensor dOut, Tensor[] dIn) {
        float[] da = dIn[0] == null ? null : dIn[0].data(),
                db = dIn[1] == null ? null : dIn[1].data();
        Kernels.loss()
                .squaredErrorBackwardAcc(
                        da, db, a.data(), b.data(), dOut.item() / a.size(), a.size());
        a = b = null;
    }
}
