package org.cladec.engine.optim;

import java.util.List;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.tensor.Tensor;

/** Gradient clipping, as {@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_}. */
public final class GradClip {
    private GradClip() {}

    /**
     * Scales all gradients by {@code maxNorm / (total + 1e-6)} when their joint L2 norm exceeds
     * {@code maxNorm}; returns the norm before clipping.
     */
    public static float clipNorm(List<Tensor> params, float maxNorm) {
        double sq = 0;
        for (Tensor p : params) {
            if (p.grad() == null) continue;
            float[] g = p.grad().data();
            for (int i = 0; i < p.size(); i++) sq += (double) g[i] * g[i];
        }
        float total = (float) Math.sqrt(sq);
        float coef = maxNorm / (total + 1e-6f);
        if (coef < 1f) {
            for (Tensor p : params)
                if (p.grad() != null)
                    Kernels.ew().scale(p.grad().data(), p.grad().data(), coef, p.size());
        }
        return total;
    }

    /** Clamps every gradient element to {@code [−limit, limit]}. */
    public static void clipValue(List<Tensor> params, float limit) {
        for (Tensor p : params) {
            if (p.grad() == null) continue;
            float[] g = p.grad().data();
            for (int i = 0; i < p.size(); i++) g[i] = Math.max(-limit, Math.min(limit, g[i]));
        }
    }
}
