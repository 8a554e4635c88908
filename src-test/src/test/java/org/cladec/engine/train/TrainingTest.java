package org.cladec.engine.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cladec.engine.nn.BatchNorm;
import org.cladec.engine.nn.ConvTranspose2d;
import org.cladec.engine.nn.Flatten;
import org.cladec.engine.nn.Linear;
import org.cladec.engine.nn.ReLU;
import org.cladec.engine.nn.Sequential;
import org.cladec.engine.nn.Sigmoid;
import org.cladec.engine.nn.Unflatten;
import org.cladec.engine.ops.F;
import org.cladec.engine.optim.Adam;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.cladec.engine.tensor.Workspace;
import org.cladec.model.Classifier;
import org.junit.jupiter.api.Test;

/** End-to-end learning: the engine's pieces together must actually fit data. */
class TrainingTest {

    @Test
    void tinyCnnOverfitsOneBatch() {
        Rng rng = new Rng(2024);
        Sequential net =
                new Sequential(
                        Classifier.Block.conv(1, 8, 2, rng),
                        BatchNorm.of2d(8),
                        new ReLU(),
                        Classifier.Block.conv(8, 16, 2, rng),
                        BatchNorm.of2d(16),
                        new ReLU(),
                        new Flatten(),
                        Linear.of(16 * 4 * 4, 10, rng));
        Tensor x = Tensor.uniform(rng, 0, 1, 16, 1, 16, 16);
        int[] y = new int[16];
        for (int i = 0; i < y.length; i++) y[i] = rng.nextInt(10);
        Adam opt = new Adam(net.parameters(), 1e-2f, 0f);
        Workspace ws = new Workspace();
        float first = 0, last = 0;
        for (int step = 0; step < 150; step++) {
            opt.zeroGrad();
            try (Workspace.Scope s = ws.open()) {
                Tensor loss = F.crossEntropy(net.forward(x), y);
                loss.backward();
                if (step == 0) first = loss.item();
                last = loss.item();
            }
            opt.step();
        }
        assertTrue(first / last > 100, "loss fell only from " + first + " to " + last);
    }

    @Test
    void transposedConvDecoderLearnsToReproduceAFixedImage() {
        Rng rng = new Rng(77);
        // A smooth 16x16 target: a bright disc on a gradient.
        float[] img = new float[16 * 16];
        for (int h = 0; h < 16; h++) {
            for (int w = 0; w < 16; w++) {
                double d = Math.hypot(h - 7.5, w - 6.5);
                img[h * 16 + w] = (float) (d < 5 ? 0.9 : 0.1 + 0.03 * w);
            }
        }
        Tensor target = Tensor.wrap(img, 1, 1, 16, 16);
        Sequential dec =
                new Sequential(
                        Linear.of(4, 32 * 2 * 2, rng),
                        new ReLU(),
                        new Unflatten(32, 2, 2),
                        ConvTranspose2d.builder()
                                .setIn(32)
                                .setOut(16)
                                .setKernel(4)
                                .optStride(2)
                                .optPadding(1)
                                .build(rng),
                        new ReLU(),
                        ConvTranspose2d.builder()
                                .setIn(16)
                                .setOut(8)
                                .setKernel(4)
                                .optStride(2)
                                .optPadding(1)
                                .build(rng),
                        new ReLU(),
                        ConvTranspose2d.builder()
                                .setIn(8)
                                .setOut(1)
                                .setKernel(4)
                                .optStride(2)
                                .optPadding(1)
                                .build(rng),
                        new Sigmoid());
        Tensor code = Tensor.of(new float[] {1, -1, 0.5f, 0.25f}, 1, 4);
        Adam opt = new Adam(dec.parameters(), 3e-3f, 0f);
        float first = 0, last = 0;
        for (int step = 0; step < 300; step++) {
            opt.zeroGrad();
            Tensor loss = F.mse(dec.forward(code), target);
            loss.backward();
            opt.step();
            if (step == 0) first = loss.item();
            last = loss.item();
        }
        assertTrue(
                last < 1e-3 && first / last > 50,
                "reconstruction MSE went from " + first + " to " + last);
        List<Tensor> ps = dec.parameters();
        assertTrue(ps.size() == 8);
    }
}
