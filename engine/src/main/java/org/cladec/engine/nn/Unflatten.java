package org.cladec.engine.nn;

import org.cladec.engine.ops.F;
import org.cladec.engine.tensor.Shape;
import org.cladec.engine.tensor.Tensor;

/** (N, rest) to (N, shape...), as {@code torch.nn.Unflatten(1, shape)}. */
public final class Unflatten extends Module {
    private final int[] shape;

    /** Reshapes (N, prod(shape)) to (N, shape...). */
    public Unflatten(int... shape) {
        this.shape = shape.clone();
        Shape.size(this.shape);
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.reshape(x, outputShape(x.shapeRef()));
    }

    @Override
    public int[] outputShape(int[] s) {
        int per = Shape.size(shape);
        if (s.length != 2 || s[1] != per) {
            throw new IllegalArgumentException(
                    "Unflatten"
                            + Shape.str(shape)
                            + ": expected input (N, "
                            + per
                            + "), but got "
                            + Shape.str(s));
        }
        int[] out = new int[shape.length + 1];
        out[0] = s[0];
        System.arraycopy(shape, 0, out, 1, shape.length);
        return out;
    }
}
