package org.cladec.engine.nn;

import org.cladec.engine.ops.F;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;

/**
 * 2-d transposed convolution layer: weight (IN, OUT, K, K), optional bias (OUT); the output is
 * {@code (H − 1)·stride − 2·padding + K + outputPadding} high. As {@code torch.nn.ConvTranspose2d},
 * whose default initialisation takes the fan-in from weight dimension 1 (OUT·K·K).
 */
public final class ConvTranspose2d extends Module {
    private final int in, out, kernel, stride, padding, outputPadding;
    private final Tensor weight, bias;

    private ConvTranspose2d(Builder b, Rng rng) {
        this.in = b.in;
        this.out = b.out;
        this.kernel = b.kernel;
        this.stride = b.stride;
        this.padding = b.padding;
        this.outputPadding = b.outputPadding;
        int fanIn = out * kernel * kernel;
        this.weight =
                registerParameter(
                        "weight", Init.kaimingUniformDefault(rng, fanIn, in, out, kernel, kernel));
        this.bias = b.bias ? registerParameter("bias", Init.defaultBias(rng, fanIn, out)) : null;
    }

    /**
     * A builder: {@code
     * ConvTranspose2d.builder().setIn(64).setOut(32).setKernel(4).optStride(2).optPadding(1).build(rng)}.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** The weight (IN, OUT, K, K), a parameter. */
    public Tensor weight() {
        return weight;
    }

    /** The bias (OUT), a parameter, or null. */
    public Tensor bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.convTranspose2d(x, weight, bias, stride, padding, outputPadding);
    }

    @Override
    public int[] outputShape(int[] s) {
        expectShape(s, "ConvTranspose2d(" + in + " -> " + out + ")", -1, in, -1, -1);
        return new int[] {
            s[0],
            out,
            (s[2] - 1) * stride - 2 * padding + kernel + outputPadding,
            (s[3] - 1) * stride - 2 * padding + kernel + outputPadding
        };
    }

    /**
     * Builder: setIn, setOut, setKernel required; stride 1, padding 0, output padding 0, bias by
     * default.
     */
    public static final class Builder {
        private int in = -1, out = -1, kernel = -1, stride = 1, padding = 0, outputPadding = 0;
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

        /** Extra output rows and columns, less than the stride (default 0). */
        public Builder optOutputPadding(int outputPadding) {
            this.outputPadding = outputPadding;
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
        public ConvTranspose2d build(Rng rng) {
            if (in <= 0 || out <= 0 || kernel <= 0) {
                throw new IllegalArgumentException(
                        "ConvTranspose2d: in, out and kernel must be set and positive, but got "
                                + in
                                + ", "
                                + out
                                + ", "
                                + kernel);
            }
            if (stride <= 0 || padding < 0 || outputPadding < 0 || outputPadding >= stride) {
                throw new IllegalArgumentException(
                        "ConvTranspose2d: need stride > 0, padding >= 0 and 0 <= output padding < stride, but got "
                                + stride
                                + ", "
                                + padding
                                + ", "
                                + outputPadding);
            }
            return new ConvTranspose2d(this, rng);
        }
    }
}
