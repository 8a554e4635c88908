package org.cladec.examples;

import org.cladec.engine.nn.Conv2d;
import org.cladec.engine.nn.Flatten;
import org.cladec.engine.nn.Linear;
import org.cladec.engine.nn.Module;
import org.cladec.engine.nn.ReLU;
import org.cladec.engine.nn.Sequential;
import org.cladec.engine.ops.F;
import org.cladec.engine.optim.Adam;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;

/**
 * Writing a custom layer: {@link ChannelScale} multiplies every channel of an (N, C, H, W) input by
 * a learned factor. It only composes differentiable ops ({@code F.mul} with broadcasting), so
 * autograd derives its backward pass; it registers its parameter, so optimizers and state dicts see
 * it as {@code 1.scale}. A tiny network with it then learns to tell bright images from dark ones.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp cladec/target/cladec.jar
 * org.cladec.examples.CustomLayerExample}
 */
public final class CustomLayerExample {
    private CustomLayerExample() {}

    /** y[n, c, h, w] = x[n, c, h, w] · scale[c]. */
    public static final class ChannelScale extends Module {
        private final int channels;
        private final Tensor scale; // (C, 1, 1): broadcasts over N, H and W

        /** A scale of 1 for each of {@code channels} channels. */
        public ChannelScale(int channels) {
            this.channels = channels;
            this.scale = registerParameter("scale", Tensor.full(1f, channels, 1, 1));
        }

        @Override
        public Tensor forward(Tensor x) {
            return F.mul(x, scale);
        }

        @Override
        public int[] outputShape(int[] s) {
            expectShape(s, "ChannelScale(" + channels + ")", -1, channels, -1, -1);
            return s.clone();
        }
    }

    /** Trains the network for {@code steps} steps; returns {first loss, last loss}. */
    public static float[] run(int steps) {
        Rng rng = new Rng(3);
        Sequential net =
                new Sequential(
                        Conv2d.builder().setIn(1).setOut(4).setKernel(3).optPadding(1).build(rng),
                        new ChannelScale(4),
                        new ReLU(),
                        new Flatten(),
                        Linear.of(4 * 8 * 8, 2, rng));
        System.out.println("parameters: " + net.namedParameters().keySet());
        Adam opt = new Adam(net.parameters(), 1e-2f, 0f);
        float first = 0, last = 0;
        for (int step = 0; step < steps; step++) {
            int[] labels = new int[16];
            Tensor x = Tensor.empty(16, 1, 8, 8);
            for (int i = 0; i < 16; i++) {
                labels[i] = rng.nextInt(2); // 1: bright image, 0: dark image
                for (int p = 0; p < 64; p++)
                    x.data()[i * 64 + p] =
                            (labels[i] == 1 ? 0.7f : 0.2f) + 0.2f * rng.nextGaussian();
            }
            opt.zeroGrad();
            Tensor loss = F.crossEntropy(net.forward(x), labels);
            loss.backward();
            opt.step();
            if (step == 0) first = loss.item();
            last = loss.item();
        }
        return new float[] {first, last};
    }

    /** Trains (optional argument: steps) and prints the loss before and after. */
    public static void main(String[] args) {
        float[] r = run(args.length > 0 ? Integer.parseInt(args[0]) : 100);
        System.out.printf("loss %.4f -> %.4f%n", r[0], r[1]);
    }
}
