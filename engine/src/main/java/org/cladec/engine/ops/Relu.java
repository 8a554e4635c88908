package org.cladec.engine.ops;

import org.cladec.engine.autograd.Autograd;
import org.cladec.engine.autograd.Op;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.tensor.Tensor;

/** {@code max(x, 0)}. Saves its output: the gradient passes where the output is positive. */
final class Relu implements Op {
    private Tensor out;

    static Tensor apply(Tensor x) {
        Tensor xd = x.dense();
        Tensor out = Tensor.empty(x.shapeRef());
        Kernels.ew().relu(out.data(), xd.data(), x.size());
        if (Autograd.needsGrad(x)) {
            Relu op = new Relu();
            op.out = out;
            Autograd.record(out, op, x);
        }
        return out;
    }

    @Override
    public void backward(Tensor dOut, Tensor[] dIn) {
        if (dIn[0] != null)
            Kernels.ew().reluBackwardAcc(dIn[0].data(), dOut.data(), out.data(), out.size());
        out = null;
    }
}
