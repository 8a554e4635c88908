package org.cladec.engine.ops;

import org.cladec.engine.autograd.Autograd;
import org.cladec.engine.autograd.Op;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.tensor.Tensor;

/** {@code x > 0 ? x : slope·x}. Saves its input (the output's sign is ambiguous for slope ≤ 0). */
final class LeakyRelu implements Op {
    private Tensor x;
    private final float slope;

    private LeakyRelu(float slope) {
        this.slope = slope;
    }

    static Tensor apply(Tensor x, float slope) {
        Tensor xd = x.dense();
        Tensor out = Tensor.empty(x.shapeRef());
        Kernels.ew().leakyRelu(out.data(), xd.data(), slope, x.size());
        if (Autograd.needsGrad(x)) {
            LeakyRelu op = new LeakyRelu(slope);
            op.x = xd;
            Autograd.record(out, op, x);
        }
        return out;
    }

    @Override
    public void backward(Tensor dOut, Tensor[] dIn) {
        if (dIn[0] != null)
            Kernels.ew()
                    .leakyReluBackwardAcc(dIn[0].data(), dOut.data(), x.data(), slope, x.size());
        x = null;
    }
}
