package org.cladec.engine.kernels.simd;

import static org.cladec.engine.kernels.simd.Simd.F;
import static org.cladec.engine.kernels.simd.Simd.L;

import jdk.incubator.vector.FloatVector;
import org.cladec.engine.kernels.OptimKernels;
import org.cladec.engine.kernels.ScalarOptimKernels;

/** Vectorised optimizer updates; the formulas are those of {@link OptimKernels}. */
public final class SimdOptimKernels implements OptimKernels {
    private final ScalarOptimKernels scalar = new ScalarOptimKernels();

    @Override
    public void sgd(
            float[] p,
            float[] g,
            float[] buf,
            int lo,
            int hi,
            float lr,
            float momentum,
            float dampening,
            float weightDecay,
            boolean nesterov,
            boolean firstStep) {
        if (momentum == 0f || firstStep || nesterov) {
            scalar.sgd(
                    p, g, buf, lo, hi, lr, momentum, dampening, weightDecay, nesterov, firstStep);
            return;
        }
        int i = lo;
        float keep = 1f - dampening;
        for (int bound = lo + F.loopBound(hi - lo); i < bound; i += L) {
            FloatVector pv = FloatVector.fromArray(F, p, i);
            FloatVector d = pv.mul(weightDecay).add(FloatVector.fromArray(F, g, i));
            FloatVector b = FloatVector.fromArray(F, buf, i).mul(momentum).add(d.mul(keep));
            b.intoArray(buf, i);
            pv.sub(b.mul(lr)).intoArray(p, i);
        }
        for (; i < hi; i++) { // the vector body's operations, in its order
            float d = p[i] * weightDecay + g[i];
            buf[i] = buf[i] * momentum + d * keep;
            p[i] = p[i] - buf[i] * lr;
        }
    }

    @Override
    public void adam(
            float[] p,
            float[] g,
            float[] m,
            float[] v,
            int lo,
            int hi,
            float lr,
            float beta1,
            float beta2,
            float eps,
            float weightDecay,
            boolean decoupled,
            int step) {
        double bc1 = 1.0 - StrictMath.pow(beta1, step), bc2 = 1.0 - StrictMath.pow(beta2, step);
        float stepSize = (float) (lr / bc1), invBc2Sqrt = (float) (1.0 / Math.sqrt(bc2));
        float decay = decoupled ? 1f - lr * weightDecay : 1f, l2 = decoupled ? 0f : weightDecay;
        int i = lo;
        for (int bound = lo + F.loopBound(hi - lo); i < bound; i += L) {
            FloatVector pv = FloatVector.fromArray(F, p, i).mul(decay);
            FloatVector d = pv.mul(l2).add(FloatVector.fromArray(F, g, i));

            FloatVector mv = FloatVector.fromArray(F, m, i).mul(beta1).add(d.mul(1f - beta1));
            FloatVector vv =
                    FloatVector.fromArray(F, v, i).mul(beta2).add(d.mul(d).mul(1f - beta2));
            mv.intoArray(m, i);
            vv.intoArray(v, i);
            FloatVector denom = vv.sqrt().mul(invBc2Sqrt).add(eps);
            pv.sub(mv.div(denom).mul(stepSize)).intoArray(p, i);
        }
        // the tail repeats the vector body's operations in its order, so an element's result does
        // not depend on whether it fell in a tail: a split into ranges gives bit-identical results
        for (; i < hi; i++) {
            float pi = p[i] * decay;
            float d = pi * l2 + g[i];
            m[i] = m[i] * beta1 + d * (1f - beta1);
            v[i] = v[i] * beta2 + d * d * (1f - beta2);
            p[i] = pi - m[i] / ((float) Math.sqrt(v[i]) * invBc2Sqrt + eps) * stepSize;
        }
    }
}
