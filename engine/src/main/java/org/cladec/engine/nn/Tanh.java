package org.cladec.engine.nn;

import org.cladec.engine.ops.F;
import org.cladec.engine.tensor.Tensor;

/** Element-wise hyperbolic tangent, as {@code torch.nn.Tanh}. */
public final class Tanh extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return F.tanh(x);
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        return inputShape.clone();
    }
}
