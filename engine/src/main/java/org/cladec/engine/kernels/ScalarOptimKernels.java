package org.cladec.engine.kernels;

/**
 * Reference optimizer updates; the formulas are those of PyTorch's single-tensor implementations.
 */
public final class ScalarOptimKernels implements OptimKernels {

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
        for (int i = lo; i < hi; i++) {
            float d = g[i] + weightDecay * p[i];
            if (momentum != 0f) {
                buf[i] = firstStep ? d : momentum * buf[i] + (1f - dampening) * d;
                d = nesterov ? d + momentum * buf[i] : buf[i];
            }
            p[i] -= lr * d;
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
        double bc1 = 1.0 - StrictMath.pow(beta1, step);
        double bc2 = 1.0 - StrictMath.pow(beta2, step);
        float stepSize = (float) (lr / bc1);
        float bc2Sqrt = (float) Math.sqrt(bc2);
        float decay = decoupled ? 1f - lr * weightDecay : 1f;
        float l2 = decoupled ? 0f : weightDecay;
        for (int i = lo; i < hi; i++) {
            p[i] *= decay;
            float d = g[i] + l2 * p[i];
            m[i] = beta1 * m[i] + (1f - beta1) * d;
            v[i] = beta2 * v[i] + (1f - beta2) * d * d;
            p[i] -= stepSize * m[i] / ((float) Math.sqrt(v[i]) / bc2Sqrt + eps);
        }
    }
}
