package org.cladec.engine.ops;

import org.cladec.engine.autograd.Autograd;
import org.cladec.engine.autograd.Op;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.parallel.Parallel;
import org.cladec.engine.tensor.Tensor;

/** {@code max(x, 0)}. Saves its output: the gradient passes where the output is positive. */
final class Relu implements Op {
    private Tensor out;

    static Tensor apply(Tensor x) {
        Tensor xd = x.dense();
        Tensor out = Tensor.empty(x.shapeRef());
        float[] o = out.data(), xa = xd.data();
        Parallel.forBlocks(x.size(), (lo, hi) -> Kernels.ew().relu(o, xa, lo, hi));
        if (Autograd.needsGrad(x)) {
            Relu op = new Relu();
            op.out = out;
            Autograd.record(out, op, x);
        }
        return out;
    }

    @Override
    public void backward(Tensor dOut, Tensor[] dIn) {
        if (dIn[0] != null) {
            float[] dx = dIn[0].data(), d = dOut.data(), o = out.data();
            Parallel.forBlocks(
                    out.size(), (lo, hi) -> Kernels.ew().reluBackwardAcc(dx, d, o, lo, hi));
        }
        out = null;
    }
}
