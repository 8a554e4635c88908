package org.cladec.engine.nn;

import org.cladec.engine.ops.F;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;

/**
 * 2-d convolution layer: weight (OUT, IN, K, K), optional bias (OUT). As {@code torch.nn.Conv2d}.
 */
public final class Conv2d extends Module {
    private final int in, out, kernel, stride, padding;
    private final Tensor weight, bias;

    private Conv2d(Builder b, Rng rng) {
        this.in = b.in;
        this.out = b.out;
        this.kernel = b.kernel;
        this.stride = b.stride;
        this.padding = b.padding;
        int fanIn = in * kernel * kernel;
        this.weight =
                registerParameter(
                        "weight", Init.kaimingUniformDefault(rng, fanIn, out, in, kernel, kernel));
        this.bias = b.bias ? registerParameter("bias", Init.defaultBias(rng, fanIn, out)) : null;
    }

    /**
     * A builder: {@code
     * Conv2d.builder().setIn(1).setOut(32).setKernel(3).optStride(2).optPadding(1).build(rng)}.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** The weight (OUT, IN, K, K), a parameter. */
    public Tensor weight() {
        return weight;
    }

    /** The bias (OUT), a parameter, or null. */
    public Tensor bias() {
        return bias;
    }

    /** The stride. */
    public int stride() {
        return stride;
    }

    /** The zero padding. */
    public int padding() {
        return padding;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.conv2d(x, weight, bias, stride, padding);
    }

    @Override
    public int[] outputShape(int[] s) {
        expectShape(s, "Conv2d(" + in + " -> " + out + ")", -1, in, -1, -1);
        int oh = Math.floorDiv(s[2] + 2 * padding - kernel, stride) + 1,
                ow = Math.floorDiv(s[3] + 2 * padding - kernel, stride) + 1;
        if (oh <= 0 || ow <= 0)
            throw new IllegalArgumentException(
                    "Conv2d: kernel "
                            + kernel
                            + " does not fit input "
                            + s[2]
                            + "x"
                            + s[3]
                            + " with padding "
                            + padding);
        return new int[] {s[0], out, oh, ow};
    }

    /**
     * Builder: setIn, setOut and setKernel are required; stride 1, padding 0 and a bias by default.
     */
    public static final class Builder {
        private int in = -1, out = -1, kernel = -1, stride = 1, padding = 0;
        private boolean bias = true;

        /** Input channels (required). */
        public Builder setIn(int in) {
            this.in = in;
            return this;
        }

        /** Output channels (required). */
        public Builder setOut(int out) {
            this.out = out;
            return this;
        }

        /** Square kernel size (required). */
        public Builder setKernel(int kernel) {
            this.kernel = kernel;
            return this;
        }

        /** Stride (default 1). */
        public Builder optStride(int stride) {
            this.stride = stride;
            return this;
        }

        /** Zero padding (default 0). */
        public Builder optPadding(int padding) {
            this.padding = padding;
            return this;
        }

        /** Whether to learn a bias (default true). */
        public Builder optBias(boolean bias) {
            this.bias = bias;
            return this;
        }

        /**
         * Validates the settings and creates the layer, drawing initial weights from {@code rng}.
         */
        public Conv2d build(Rng rng) {
            if (in <= 0 || out <= 0 || kernel <= 0) {
                throw new IllegalArgumentException(
                        "Conv2d: in, out and kernel must be set and positive, but got "
                                + in
                                + ", "
                                + out
                                + ", "
                                + kernel);
            }
            if (stride <= 0 || padding < 0)
                throw new IllegalArgumentException(
                        "Conv2d: stride must be positive and padding >= 0, but got "
                                + stride
                                + ", "
                                + padding);
            return new Conv2d(this, rng);
        }
    }
}
