package org.cladec.engine.kernels;

/** Optimizer update loops: one flat in-place pass over a parameter, its gradient and its state. */
public interface OptimKernels {
    /**
     * SGD as {@code torch.optim.SGD}: {@code g' = g + wd·p}; with momentum, {@code buf = firstStep
     * ? g' : momentum·buf + (1 − dampening)·g'} and {@code g' = nesterov ? g' + momentum·buf :
     * buf}; then {@code p −= lr·g'}. buf may be null when momentum is 0.
     */
    void sgd(
            float[] p,
            float[] g,
            float[] buf,
            int n,
            float lr,
            float momentum,
            float dampening,
            float weightDecay,
            boolean nesterov,
            boolean firstStep);

    /**
     * Adam / AdamW as {@code torch.optim.Adam} and {@code AdamW} (step t ≥ 1): with L2 decay
     * ({@code decoupled = false}) {@code g' = g + wd·p}; with decoupled decay {@code p ·= 1 −
     * lr·wd} first. Then {@code m = β1·m + (1 − β1)·g'}, {@code v = β2·v + (1 − β2)·g'²}, {@code p
     * −= lr/(1 − β1^t) · m / (sqrt(v)/sqrt(1 − β2^t) + eps)}.
     */
    void adam(
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
            int step);
}
