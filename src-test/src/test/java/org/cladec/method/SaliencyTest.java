package org.cladec.method;

import static org.cladec.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cladec.engine.ops.F;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.cladec.model.Classifier;
import org.junit.jupiter.api.Test;

class SaliencyTest {
    @Test
    void gradientSaliencyOfALinearModelIsItsWeights() {
        Rng rng = new Rng(1);
        Tensor w = Tensor.uniform(rng, -1, 1, 3, 2 * 4 * 4); // 3 classes over (2, 4, 4) inputs
        Tensor x = Tensor.uniform(rng, 0, 1, 2, 2, 4, 4);
        int[] cls = {2, 0};
        Tensor g = Saliency.gradient(in -> F.linear(F.flatten(in), w, null), x, cls);
        for (int n = 0; n < 2; n++) {
            float[] expected = new float[32];
            for (int i = 0; i < 32; i++) expected[i] = Math.abs(w.get(cls[n], i));
            float[] got = new float[32];
            System.arraycopy(g.toArray(), n * 32, got, 0, 32);
            assertClose(expected, got, 1e-7, 0, "image " + n);
        }
    }

    @Test
    void gradCamOfAConstantFeatureMapIsUniform() {
        Rng rng = new Rng(2);
        Tensor act = Tensor.full(0.7f, 2, 5, 3, 3);
        Tensor w = Tensor.uniform(rng, -1, 1, 4, 45);
        Tensor cam =
                Saliency.gradCam(
                        a -> F.linear(F.flatten(F.relu(a)), w, null), act, new int[] {1, 3});
        assertArrayEquals(new int[] {2, 3, 3}, cam.shape());
        for (int n = 0; n < 2; n++) {
            float first = cam.get(n, 0, 0);
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                    assertEquals(first, cam.get(n, i, j), 1e-6f, "uniform map");
        }
    }

    @Test
    void classifierBaselinesHaveImageSizeAndLeaveWeightsAlone() {
        Classifier c = Classifier.create(1, 10, 0.25f, new Rng(3));
        Tensor x = Tensor.uniform(new Rng(4), 0, 1, 3, 1, 32, 32);
        int[] y = {0, 5, 9};
        Tensor g = Saliency.gradient(c, x, y);
        assertArrayEquals(new int[] {3, 32, 32}, g.shape());
        Tensor cam = Saliency.gradCam(c, x, y, Saliency.lastSpatialLayer(c));
        assertArrayEquals(new int[] {3, 32, 32}, cam.shape());
        assertEquals(
                -3,
                Saliency.lastSpatialLayer(c).index(),
                "blocks.6, 2x2: the last conv block larger than 1x1");
        for (Tensor p : c.parameters()) {
            assertTrue(p.requiresGrad(), "restored");
            assertTrue(p.grad() == null, "no gradient left on the classifier");
        }
        for (float v : cam.toArray()) assertTrue(v >= 0, "ReLU'd");
    }
}
