package org.cladec.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cladec.datasets.EmbeddedFashionMnist;
import org.cladec.datasets.ImageDataset;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.cladec.io.Models;
import org.cladec.method.Reporter;
import org.cladec.method.Schedule;
import org.cladec.method.Training;
import org.cladec.model.Classifier;
import org.cladec.model.Decoder;
import org.cladec.model.LayerRef;
import org.cladec.testing.GradCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every runnable example runs here on tiny data, so an example that stops working fails the build.
 */
class ExamplesTest {
    @TempDir Path dir;

    @Test
    void autogradOnScalars() {
        assertArrayEquals(new float[] {9f, 6f, -18f}, AutogradExample.run(3f, -2f), 1e-5f);
    }

    @Test
    void tinyCnnLearnsTheShapes() {
        double acc = TinyCnnExample.run(120);
        assertTrue(acc > 0.9, "held-out accuracy " + acc);
    }

    @Test
    void customLayerTrainsAndHasCorrectGradients() {
        float[] loss = CustomLayerExample.run(80);
        assertTrue(loss[1] < loss[0] / 2, "loss " + loss[0] + " -> " + loss[1]);
        CustomLayerExample.ChannelScale layer = new CustomLayerExample.ChannelScale(3);
        Tensor x = GradCheck.param(new Rng(1), -1, 1, 2, 3, 4, 4);
        Tensor scale = layer.parameters().get(0);
        GradCheck.check("ChannelScale", in -> layer.forward(in[0]), x, scale);
    }

    @Test
    void explainOneImageWithSavedModels() throws Exception {
        ImageDataset train = EmbeddedFashionMnist.load().train().head(256);
        Classifier c = Classifier.create(1, 10, 0.25f, new Rng(1));
        Training.classifier("c", c, train, null, new Schedule(1, 32, 1), Reporter.silent(), null);
        LayerRef layer = c.layer("-2");
        Decoder d = Decoder.forLayer(layer, 1, 0.25f, new Rng(2));
        Training.claDec(
                "d", c, layer, d, 0f, train, new Schedule(1, 32, 2), Reporter.silent(), null, null);
        Path run = dir.resolve("run");
        Models.saveClassifier(run.resolve("models/classifier.safetensors"), c);
        Models.save(
                run.resolve("models/cladec_layer-2.safetensors"),
                d,
                "cladec-decoder",
                java.util.Map.of());
        Path png = dir.resolve("explained.png");
        double mse = ExplainImageExample.run(run, "-2", 3, png);
        assertTrue(mse > 0 && mse < 0.5, "mse " + mse);
        assertTrue(Files.size(png) > 1000);
    }

    @Test
    void explainAPyTorchTrainedModel() throws Exception {
        Path model = dir.resolve("clf.safetensors");
        try (InputStream in =
                ExamplesTest.class.getResourceAsStream("/fixtures/cladec/clf_f32.safetensors")) {
            Files.copy(in, model);
        }
        double[] r = PyTorchModelExample.run(model, 320, 1);
        assertTrue(r[0] > 0.5, "the PyTorch model's accuracy here: " + r[0]);
        assertTrue(r[1] > 0 && r[1] < 0.2, "decoder MSE " + r[1]);
        assertTrue(r[2] >= 0 && r[2] <= 1);
    }
}
