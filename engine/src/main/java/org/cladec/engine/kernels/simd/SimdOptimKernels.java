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
            int n,
            float lr,
            float momentum,
            float dampening,
            float weightDecay,
            boolean nesterov,
            boolean firstStep) {
        if (momentum == 0f || firstStep || nesterov) {
            scalar.sgd(p, g, buf, n, lr, momentum, dampening, weightDecay, nesterov, firstStep);
            return;
        }
        int i = 0;
        float keep = 1f - dampening;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector pv = FloatVector.fromArray(F, p, i);
            FloatVector d = pv.mul(weightDecay).add(FloatVector.fromArray(F, g, i));
            FloatVector b = FloatVector.fromArray(F, buf, i).mul(momentum).add(d.mul(keep));
            b.intoArray(buf, i);
            pv.sub(b.mul(lr)).intoArray(p, i);
        }
        for (; i < n; i++) {
            float d = g[i] + weightDecay * p[i];
            buf[i] = momentum * buf[i] + keep * d;
            p[i] -= lr * buf[i];
        }
    }

    @Override
    public void adam(
            float[] p,
            float[] g,
            float[] m,
            float[] v,
            int n,
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
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
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
        for (; i < n; i++) {
            p[i] *= decay;
            float d = g[i] + l2 * p[i];
            m[i] = beta1 * m[i] + (1f - beta1) * d;
            v[i] = beta2 * v[i] + (1f - beta2) * d * d;
            p[i] -= stepSize * m[i] / ((float) Math.sqrt(v[i]) * invBc2Sqrt + eps);
        }
    }
}
