package org.cladec.engine.ops;

import org.cladec.engine.autograd.Autograd;
import org.cladec.engine.autograd.Op;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.cladec.engine.tensor.Workspace;

/**
 * Inverted dropout: in training each element is zeroed with probability p and the survivors are
 * scaled by 1/(1 − p), so evaluation is the identity. The mask comes from the caller's {@link Rng}.
 */
final class Dropout implements Op {
    private float[] mask;

    static Tensor apply(Tensor x, float p, boolean training, Rng rng) {
        if (!(p >= 0f && p <= 1f))
            throw new IllegalArgumentException(
                    "dropout: probability must be in [0, 1], but got " + p);
        if (!training || p == 0f) return x;
        int n = x.size();
        float[] mask = Workspace.floats(n);
        float keep = p == 1f ? 0f : 1f / (1f - p);
        for (int i = 0; i < n; i++) mask[i] = rng.nextFloat() < p ? 0f : keep;
        Tensor xd = x.dense();
        Tensor out = Tensor.empty(x.shapeRef());
        Kernels.ew().mul(out.data(), xd.data(), mask, n);
        if (Autograd.needsGrad(x)) {
            Dropout op = new Dropout();
            op.mask = mask;
            Autograd.record(out, op, x);
        }
        return out;
    }

    @Override
    public void backward(Tensor dOut, Tensor[] dIn) {
        if (dIn[0] != null) Kernels.ew().mulAcc(dIn[0].data(), dOut.data(), mask, dOut.size());
        mask = null;
    }
}
