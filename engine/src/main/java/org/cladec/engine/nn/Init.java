package org.cladec.engine.nn;

import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;

/**
 * Weight initialisation matching PyTorch's defaults, so training behaves like the reference code.
 */
public final class Init {
    private Init() {}

    /**
     * PyTorch's default for Linear and Conv weights: {@code kaiming_uniform_(w, a=sqrt(5))}, i.e.
     * U(−b, b) with {@code b = gain·sqrt(3/fanIn)}, {@code gain = sqrt(2/(1 + a²))}, so {@code b =
     * 1/sqrt(fanIn)}.
     */
    public static Tensor kaimingUniformDefault(Rng rng, int fanIn, int... shape) {
        double gain = Math.sqrt(2.0 / (1.0 + 5.0));
        float bound = (float) (gain * Math.sqrt(3.0 / fanIn));
        return Tensor.uniform(rng, -bound, bound, shape);
    }

    /** PyTorch's default bias: U(−1/sqrt(fanIn), 1/sqrt(fanIn)). */
    public static Tensor defaultBias(Rng rng, int fanIn, int size) {
        float bound = fanIn > 0 ? (float) (1.0 / Math.sqrt(fanIn)) : 0f;
        return Tensor.uniform(rng, -bound, bound, size);
    }
}
