package org.cladec.engine.nn;

import org.cladec.engine.ops.F;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;

/** Inverted dropout in training mode, identity in evaluation mode, as {@code torch.nn.Dropout}. */
public final class Dropout extends Module {
    private final float p;
    private final Rng rng;

    /** Dropout with probability {@code p}; masks are drawn from {@code rng}. */
    public Dropout(float p, Rng rng) {
        if (!(p >= 0f && p <= 1f))
            throw new IllegalArgumentException(
                    "Dropout: probability must be in [0, 1], but got " + p);
        this.p = p;
        this.rng = rng;
    }

    /** The generator masks are drawn from (its state belongs in checkpoints). */
    public Rng rng() {
        return rng;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.dropout(x, p, isTraining(), rng);
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        return inputShape.clone();
    }
}
