package org.cladec.engine.nn;

import org.cladec.engine.ops.F;
import org.cladec.engine.tensor.Shape;
import org.cladec.engine.tensor.Tensor;

/** (N, ...) to (N, rest), as {@code torch.nn.Flatten}. */
public final class Flatten extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return F.flatten(x);
    }

    @Override
    public int[] outputShape(int[] s) {
        if (s.length < 1)
            throw new IllegalArgumentException(
                    "Flatten: expected at least 1 dimension, but got a scalar");
        return new int[] {s[0], Shape.size(java.util.Arrays.copyOfRange(s, 1, s.length))};
    }
}
