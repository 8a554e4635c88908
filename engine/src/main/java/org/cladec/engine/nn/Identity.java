package org.cladec.engine.nn;

import org.cladec.engine.tensor.Tensor;

/**
 * Returns its input, as {@code torch.nn.Identity}: a placeholder that keeps layer indices (and
 * names) aligned.
 */
public final class Identity extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x;
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        return inputShape.clone();
    }
}
