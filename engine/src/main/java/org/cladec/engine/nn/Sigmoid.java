package org.cladec.engine.nn;

import org.cladec.engine.ops.F;
import org.cladec.engine.tensor.Tensor;

/** Element-wise logistic function, as {@code torch.nn.Sigmoid}. */
public final class Sigmoid extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return F.sigmoid(x);
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        return inputShape.clone();
    }
}
