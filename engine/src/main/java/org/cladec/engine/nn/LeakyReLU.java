package org.cladec.engine.nn;

import org.cladec.engine.ops.F;
import org.cladec.engine.tensor.Tensor;

/** Element-wise {@code x > 0 ? x : slope·x}, as {@code torch.nn.LeakyReLU} (default slope 0.01). */
public final class LeakyReLU extends Module {
    private final float slope;

    /** Slope 0.01, PyTorch's default. */
    public LeakyReLU() {
        this(0.01f);
    }

    /** Slope {@code slope} for negative inputs. */
    public LeakyReLU(float slope) {
        this.slope = slope;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.leakyRelu(x, slope);
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        return inputShape.clone();
    }
}
