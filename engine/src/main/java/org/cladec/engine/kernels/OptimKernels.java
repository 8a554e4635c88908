package org.cladec.engine.kernels;

/**
 * Optimizer update loops: one flat in-place pass over elements {@code [lo, hi)} of a parameter, its
 * gradient and its state. Every element is updated on its own, so an optimizer may split a
 * parameter into ranges and run them on several threads with the same result.
 */
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
            int lo,
            int hi,
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
            int lo,
            int hi,
            float lr,
            float beta1,
            float beta2,
            float eps,
            float weightDecay,
            boolean decoupled,
            int step);
}
