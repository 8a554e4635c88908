package org.cladec.examples;

import org.cladec.engine.autograd.NoGrad;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.nn.BatchNorm;
import org.cladec.engine.nn.Conv2d;
import org.cladec.engine.nn.Flatten;
import org.cladec.engine.nn.Linear;
import org.cladec.engine.nn.ReLU;
import org.cladec.engine.nn.Sequential;
import org.cladec.engine.ops.F;
import org.cladec.engine.optim.Adam;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.cladec.engine.tensor.Workspace;

/**
 * Trains a tiny CNN on synthetic 16x16 shapes (four classes: horizontal bar, vertical bar, disc,
 * ring) with the engine alone: a model, a loss, backward, Adam, and an accuracy on held-out images.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp cladec/target/cladec.jar
 * org.cladec.examples.TinyCnnExample [steps]}
 */
public final class TinyCnnExample {
    private TinyCnnExample() {}

    static final int SIZE = 16, CLASSES = 4;

    /** Draws one noisy image of class {@code label} into {@code dst} at {@code off}. */
    static void draw(float[] dst, int off, int label, Rng rng) {
        float cy = 5 + rng.nextFloat() * 6,
                cx = 5 + rng.nextFloat() * 6,
                r = 2.5f + rng.nextFloat() * 2;
        for (int h = 0; h < SIZE; h++) {
            for (int w = 0; w < SIZE; w++) {
                double d = Math.hypot(h - cy, w - cx);
                boolean on =
                        switch (label) {
                            case 0 -> Math.abs(h - cy) < 1.5 && Math.abs(w - cx) < 6;
                            case 1 -> Math.abs(w - cx) < 1.5 && Math.abs(h - cy) < 6;
                            case 2 -> d < r;
                            default -> Math.abs(d - r - 1) < 0.9;
                        };
                dst[off + h * SIZE + w] = (on ? 0.8f : 0.1f) + 0.15f * rng.nextGaussian();
            }
        }
    }

    /** A batch of {@code n} images (N, 1, 16, 16) and their labels. */
    static Tensor batch(int n, int[] labels, Rng rng) {
        Tensor x = Tensor.empty(n, 1, SIZE, SIZE);
        for (int i = 0; i < n; i++) {
            labels[i] = rng.nextInt(CLASSES);
            draw(x.data(), i * SIZE * SIZE, labels[i], rng);
        }
        return x;
    }

    /** Trains for {@code steps} steps and returns the accuracy on 500 held-out images. */
    public static double run(int steps) {
        Rng rng = new Rng(1);
        Sequential net =
                new Sequential(
                        Conv2d.builder()
                                .setIn(1)
                                .setOut(8)
                                .setKernel(3)
                                .optStride(2)
                                .optPadding(1)
                                .optBias(false)
                                .build(rng),
                        BatchNorm.of2d(8),
                        new ReLU(),
                        Conv2d.builder()
                                .setIn(8)
                                .setOut(16)
                                .setKernel(3)
                                .optStride(2)
                                .optPadding(1)
                                .optBias(false)
                                .build(rng),
                        BatchNorm.of2d(16),
                        new ReLU(),
                        new Flatten(),
                        Linear.of(16 * 4 * 4, CLASSES, rng));
        Adam opt = new Adam(net.parameters(), 3e-3f, 0f);
        System.out.printf(
                "kernels: %s; parameters: %d%n", Kernels.active().name(), net.parameterCount());
        Workspace ws = new Workspace(); // activations reuse the same arrays every step
        int[] labels = new int[32];
        for (int step = 1; step <= steps; step++) {
            Tensor x = batch(32, labels, rng);
            opt.zeroGrad();
            float loss;
            try (Workspace.Scope s = ws.open()) {
                Tensor l = F.crossEntropy(net.forward(x), labels);
                l.backward();
                loss = l.item();
            }
            opt.step();
            if (step % 50 == 0 || step == 1) System.out.printf("step %4d  loss %.4f%n", step, loss);
        }
        net.eval();
        int[] testLabels = new int[500];
        Tensor test = batch(500, testLabels, new Rng(99));
        int correct = 0;
        try (NoGrad g = NoGrad.enter()) {
            Tensor logits = net.forward(test);
            for (int i = 0; i < 500; i++) {
                int best = 0;
                for (int k = 1; k < CLASSES; k++)
                    if (logits.get(i, k) > logits.get(i, best)) best = k;
                if (best == testLabels[i]) correct++;
            }
        }
        return correct / 500.0;
    }

    /** Trains (optional argument: steps) and prints the held-out accuracy. */
    public static void main(String[] args) {
        double acc = run(args.length > 0 ? Integer.parseInt(args[0]) : 200);
        System.out.printf("held-out accuracy: %.1f%% of 500 images%n", 100 * acc);
    }
}
