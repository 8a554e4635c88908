package org.cladec.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.cladec.datasets.EmbeddedFashionMnist;
import org.cladec.datasets.ImageDataset;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.cladec.model.Classifier;
import org.cladec.model.Decoder;
import org.cladec.model.LayerRef;
import org.junit.jupiter.api.Test;

class ClaDecTrainingTest {
    static ImageDataset small() throws Exception {
        return EmbeddedFashionMnist.load().train().head(256);
    }

    @Test
    void gradientsReachTheDecoderThroughTheFrozenClassifierWhichStaysBitIdentical()
            throws Exception {
        ImageDataset data = small();
        Classifier c = Classifier.create(1, 10, 0.25f, new Rng(1));
        Training.classifier("clf", c, data, null, new Schedule(1, 32, 1), Reporter.silent(), null);
        c.zeroGrad(); // gradients left from the classifier's own last step

        List<float[]> before = new ArrayList<>();
        for (Tensor t : c.stateDict().values()) before.add(t.toArray());
        LayerRef layer = c.layer("-2");
        Decoder d = Decoder.forLayer(layer, 1, 0.25f, new Rng(2));
        float[] w0 = d.parameters().get(0).toArray();
        History h =
                Training.claDec(
                        "cladec",
                        c,
                        layer,
                        d,
                        0.5f,
                        data,
                        new Schedule(2, 32, 3),
                        Reporter.silent(),
                        null,
                        null);
        int i = 0;
        for (Tensor t : c.stateDict().values())
            assertArrayEquals(before.get(i++), t.toArray(), "classifier state changed");
        for (Tensor p : c.parameters())
            assertNull(
                    p.grad() == null ? null : nonZero(p.grad()), "frozen parameter got a gradient");
        assertTrue(
                !java.util.Arrays.equals(w0, d.parameters().get(0).toArray()),
                "decoder weights moved");
        assertTrue(h.loss.get(1) < h.loss.get(0), "loss falls: " + h.loss);
        for (Tensor p : c.parameters())
            assertTrue(p.requiresGrad(), "requiresGrad restored after training");
    }

    private static Object nonZero(Tensor g) {
        for (float v : g.toArray()) if (v != 0f) return g;
        return null;
    }

    @Test
    void theCacheGivesTheSameTrainingAsRecomputing() throws Exception {
        ImageDataset data = small();
        Classifier c = Classifier.create(1, 10, 0.25f, new Rng(1));
        LayerRef layer = c.layer("-1");
        Decoder a = Decoder.forLayer(layer, 1, 0.25f, new Rng(2)),
                b = Decoder.forLayer(layer, 1, 0.25f, new Rng(2));
        History ha =
                Training.claDec(
                        "a",
                        c,
                        layer,
                        a,
                        0f,
                        data,
                        new Schedule(1, 32, 3),
                        Reporter.silent(),
                        null,
                        null);
        ActivationCache cache = ActivationCache.build(c, layer, data, 64);
        History hb =
                Training.claDec(
                        "b",
                        c,
                        layer,
                        b,
                        0f,
                        data,
                        new Schedule(1, 32, 3),
                        Reporter.silent(),
                        cache,
                        null);
        org.cladec.testing.Close.assertClose(
                new float[] {ha.loss.get(0).floatValue()},
                new float[] {hb.loss.get(0).floatValue()},
                1e-6,
                1e-5,
                "epoch loss");
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        Training.claDec(
                                "x",
                                c,
                                c.layer("-2"),
                                b,
                                0f,
                                data,
                                new Schedule(1, 32, 3),
                                Reporter.silent(),
                                cache,
                                null));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        Training.claDec(
                                "x",
                                c,
                                layer,
                                b,
                                1.5f,
                                data,
                                new Schedule(1, 32, 3),
                                Reporter.silent(),
                                null,
                                null));
    }

    @Test
    void theBarShowsTheLastTestAccuracyOnceThereIsOne() {
        History h = new History();
        assertEquals("epoch 1/15 loss 0.5000", Training.status(0, 15, 0.5, h));
        h.testAccuracy.add(0.871);
        h.testAccuracy.add(0.9012);
        assertEquals(
                "epoch 3/15 loss 0.3777 (test acc. 90.12% after epoch 2)",
                Training.status(2, 15, 0.37771, h));
    }
}
