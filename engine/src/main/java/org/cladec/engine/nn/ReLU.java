package org.cladec.engine.nn;

import org.cladec.engine.ops.F;
import org.cladec.engine.tensor.Tensor;

/** Element-wise {@code max(x, 0)}, as {@code torch.nn.ReLU}. */
public final class ReLU extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return F.relu(x);
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        return inputShape.clone();
    }
}
