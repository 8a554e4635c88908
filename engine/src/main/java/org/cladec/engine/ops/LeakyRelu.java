package org.cladec.engine.ops;

import org.cladec.engine.autograd.Autograd;
import org.cladec.engine.autograd.Op;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.parallel.Parallel;
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
        float[] o = out.data(), xa = xd.data();
        Parallel.forBlocks(x.size(), (lo, hi) -> Kernels.ew().leakyRelu(o, xa, slope, lo, hi));
        if (Autograd.needsGrad(x)) {
            LeakyRelu op = new LeakyRelu(slope);
            op.x = xd;
            Autograd.record(out, op, x);
        }
        return out;
    }

    @Override
    public void backward(Tensor dOut, Tensor[] dIn) {
        if (dIn[0] != null) {
            float[] dx = dIn[0].data(), d = dOut.data(), xa = x.data();
            Parallel.forBlocks(
                    x.size(),
                    (lo, hi) -> Kernels.ew().leakyReluBackwardAcc(dx, d, xa, slope, lo, hi));
        }
        x = null;
    }
}
