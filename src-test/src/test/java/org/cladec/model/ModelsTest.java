package org.cladec.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.cladec.engine.autograd.NoGrad;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelsTest {
    @Test
    void classifierHasThePyTorchNamesAndShapes() {
        Classifier c = Classifier.create(1, 10, 1f, new Rng(1));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            expected.add("blocks." + i + ".conv.weight");
            for (String b :
                    new String[] {
                        "weight", "bias", "running_mean", "running_var", "num_batches_tracked"
                    }) expected.add("blocks." + i + ".bn." + b);
        }
        expected.add("pred.weight");
        expected.add("pred.bias");
        assertEquals(expected, List.copyOf(c.stateDict().keySet()));
        assertArrayEquals(
                new int[] {32, 1, 3, 3}, c.stateDict().get("blocks.0.conv.weight").shape());
        assertArrayEquals(
                new int[] {512, 512, 3, 3}, c.stateDict().get("blocks.7.conv.weight").shape());
        assertArrayEquals(new int[] {10, 512}, c.stateDict().get("pred.weight").shape());
        Classifier small = Classifier.create(3, 7, 0.25f, new Rng(1));
        assertArrayEquals(
                new int[] {8, 3, 3, 3}, small.stateDict().get("blocks.0.conv.weight").shape());
        assertArrayEquals(new int[] {7, 128}, small.stateDict().get("pred.weight").shape());
        assertArrayEquals(new int[] {5, 7}, small.outputShape(new int[] {5, 3, 32, 32}));
    }

    @Test
    void layersAreAddressedByIndexAndName() {
        Classifier c = Classifier.create(1, 10, 1f, new Rng(1));
        List<LayerRef> layers = c.layers();
        assertEquals(9, layers.size());
        assertEquals("logits", c.layer("-1").name());
        assertArrayEquals(new int[] {512, 1, 1}, c.layer("-2").shape());
        assertArrayEquals(new int[] {512, 2, 2}, c.layer("-3").shape());
        assertArrayEquals(new int[] {32, 16, 16}, c.layer("-9").shape());
        assertEquals(c.layer("blocks.7"), c.layer("-2"));
        assertEquals(8, c.layer("-2").blocks());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> c.layer("-10"));
        assertTrue(
                e.getMessage().contains("valid layers")
                        && e.getMessage().contains("-1 (logits, 10)")
                        && e.getMessage().contains("-9 (blocks.0, 32x16x16)"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.layer("fc7"));
    }

    @ParameterizedTest
    @ValueSource(floats = {0.25f, 1f})
    void everyDecoderRebuildsA32x32Image(float width) {
        Rng rng = new Rng(2);
        Classifier c = Classifier.create(1, 10, width, rng);
        Tensor x = Tensor.uniform(rng, 0, 1, 2, 1, 32, 32);
        for (LayerRef layer : c.layers()) {
            Decoder d = Decoder.forLayer(layer, 1, width, rng);
            int[] act = new int[layer.shape().length + 1];
            act[0] = 2;
            System.arraycopy(layer.shape(), 0, act, 1, layer.shape().length);
            assertArrayEquals(new int[] {2, 1, 32, 32}, d.outputShape(act), "decoder for " + layer);
            try (NoGrad g = NoGrad.enter()) {
                c.eval();
                Tensor a = c.forwardTo(x, layer);
                assertArrayEquals(act, a.shape(), "activations of " + layer);
                Tensor rec = d.forward(a);
                assertArrayEquals(
                        new int[] {2, 1, 32, 32}, rec.shape(), "reconstruction from " + layer);
                for (float v : rec.toArray())
                    assertTrue(v > 0 && v < 1, "sigmoid output in (0, 1)");
            }
        }
    }

    @Test
    void decoderForTheLogitsFollowsThePaperLayout() {
        Decoder d =
                Decoder.forLayer(
                        Classifier.create(1, 10, 1f, new Rng(1)).layer("-1"), 1, 1f, new Rng(1));
        var sd = d.stateDict();
        assertArrayEquals(new int[] {64, 10}, sd.get("fc.0.weight").shape()); // 10 -> 64
        assertArrayEquals(
                new int[] {64, 512, 4, 4}, sd.get("deconv.0.weight").shape()); // -> 512 at 2x2
        assertArrayEquals(
                new int[] {512, 256, 4, 4}, sd.get("deconv.3.weight").shape()); // -> 256 at 4x4
        assertArrayEquals(new int[] {256, 128, 4, 4}, sd.get("deconv.6.weight").shape());
        assertArrayEquals(new int[] {128, 64, 4, 4}, sd.get("deconv.9.weight").shape());
        assertArrayEquals(
                new int[] {64, 1, 4, 4}, sd.get("deconv.12.weight").shape()); // -> C at 32x32
        Decoder conv =
                Decoder.forLayer(
                        Classifier.create(1, 10, 1f, new Rng(1)).layer("-3"), 1, 1f, new Rng(1));
        assertArrayEquals(new int[] {512, 512, 3, 3}, conv.stateDict().get("fc.0.weight").shape());
        assertArrayEquals(
                new int[] {512, 256, 4, 4}, conv.stateDict().get("deconv.0.weight").shape());
        Decoder small =
                Decoder.forLayer(
                        Classifier.create(1, 10, 0.25f, new Rng(1)).layer("-1"),
                        1,
                        0.25f,
                        new Rng(1));
        assertArrayEquals(
                new int[] {16, 10},
                small.stateDict().get("fc.0.weight").shape(),
                "base width 64 scales with the classifier");
    }

    @Test
    void refAEHasAFreshEncoderUpToTheLayer() {
        Classifier c = Classifier.create(1, 10, 0.25f, new Rng(1));
        RefAE ae = new RefAE(1, 10, 0.25f, c.layer("-3"), new Rng(5));
        assertTrue(ae.stateDict().containsKey("encoder.blocks.6.conv.weight"));
        assertTrue(
                !ae.stateDict().containsKey("encoder.blocks.7.conv.weight")
                        && !ae.stateDict().containsKey("encoder.pred.weight"));
        Tensor x = Tensor.uniform(new Rng(3), 0, 1, 2, 1, 32, 32);
        assertArrayEquals(new int[] {2, 1, 32, 32}, ae.forward(x).shape());
    }
}
