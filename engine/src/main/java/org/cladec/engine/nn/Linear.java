package org.cladec.engine.nn;

import org.cladec.engine.ops.F;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;

/**
 * {@code y = x·Wᵀ + b}: input (N, IN), weight (OUT, IN), bias (OUT). As {@code torch.nn.Linear}.
 */
public final class Linear extends Module {
    private final int in, out;
    private final Tensor weight, bias;

    private Linear(Builder b, Rng rng) {
        this.in = b.in;
        this.out = b.out;
        this.weight = registerParameter("weight", Init.kaimingUniformDefault(rng, in, out, in));
        this.bias = b.bias ? registerParameter("bias", Init.defaultBias(rng, in, out)) : null;
    }

    /** A builder: {@code Linear.builder().setIn(512).setOut(10).build(rng)}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Shorthand for a Linear with bias. */
    public static Linear of(int in, int out, Rng rng) {
        return builder().setIn(in).setOut(out).build(rng);
    }

    /** The weight (OUT, IN), a parameter. */
    public Tensor weight() {
        return weight;
    }

    /** The bias (OUT), a parameter, or null. */
    public Tensor bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.linear(x, weight, bias);
    }

    @Override
    public int[] outputShape(int[] s) {
        expectShape(s, "Linear(" + in + " -> " + out + ")", -1, in);
        return new int[] {s[0], out};
    }

    /** Builder: setIn and setOut are required; optBias defaults to true. */
    public static final class Builder {
        private int in = -1, out = -1;
        private boolean bias = true;

        /** Input features (required). */
        public Builder setIn(int in) {
            this.in = in;
            return this;
        }

        /** Output features (required). */
        public Builder setOut(int out) {
            this.out = out;
            return this;
        }

        /** Whether to learn a bias (default true). */
        public Builder optBias(boolean bias) {
            this.bias = bias;
            return this;
        }

        /** Validates and creates the layer, drawing the initial weights from {@code rng}. */
        public Linear build(Rng rng) {
            if (in <= 0 || out <= 0)
                throw new IllegalArgumentException(
                        "Linear: in and out features must be set and positive, but got "
                                + in
                                + " and "
                                + out);
            return new Linear(this, rng);
        }
    }
}
