package org.cladec.engine.ops;

import org.cladec.engine.autograd.Autograd;
import org.cladec.engine.autograd.Op;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.tensor.Tensor;

/** {@code tanh(x)}. Saves its output: the derivative is 1 − out². */
final class Tanh implements Op {
    private Tensor out;

    static Tensor apply(Tensor x) {
        Tensor xd = x.dense();
        Tensor out = Tensor.empty(x.shapeRef());
        Kernels.ew().tanh(out.data(), xd.data(), x.size());
        if (Autograd.needsGrad(x)) {
            Tanh op = new Tanh();
            op.out = out;
            Autograd.record(out, op, x);
        }
        return out;
    }

    @Override
    public void backward(Tensor dOut, Tensor[] dIn) {
        if (dIn[0] != null)
            Kernels.ew().tanhBackwardAcc(dIn[0].data(), dOut.data(), out.data(), out.size());
        out = null;
    }
}
