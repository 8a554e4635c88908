package org.cladec.engine.ops;

import org.cladec.engine.autograd.Autograd;
import org.cladec.engine.autograd.Op;
import org.cladec.engine.kernels.ElementwiseKernels;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.parallel.Parallel;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.cladec.engine.tensor.Workspace;

/**
 * Inverted dropout: in training each element is zeroed with probability p and the survivors are
 * scaled by 1/(1 − p), so evaluation is the identity. The mask comes from one key drawn from the
 * caller's {@link Rng}: element i is dropped where {@link Rng#uniformAt}(key, i) {@literal <} p, so
 * the work splits over the pool and gives the same mask on any number of threads. (Drawn one by one
 * from the stream, the 65,536 elements of the classifier's dropout took 0.5 ms on one thread, the
 * longest stretch of a training step with no split.)
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
        Tensor xd = x.dense();
        Tensor out = Tensor.empty(x.shapeRef());
        float[] o = out.data(), xa = xd.data();
        long key = rng.nextKey(); // element i's draw is Rng.uniformAt(key, i), on any thread
        // uniformAt(key, i) = t·2^-24 < p exactly where the 24-bit t < ⌈p·2^24⌉: a sign bit, not
        // a branch the random bits would mispredict half the time at p = 0.5
        int drop = (int) Math.ceil(p * 0x1.0p24);
        ElementwiseKernels ew = Kernels.ew();
        Parallel.forBlocks(
                n,
                (lo, hi) -> {
                    // t < drop: 0, else keep
                    for (int i = lo; i < hi; i++)
                        mask[i] = keep * ((drop - 1 - Rng.bitsAt(key, i)) >>> 31);
                    ew.mul(o, xa, mask, lo, hi);
                });
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
