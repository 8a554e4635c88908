package org.cladec.engine.nn;

import static org.cladec.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cladec.engine.autograd.NoGrad;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ModuleTest {
    private static Sequential net(Rng rng) {
        return new Sequential(
                Conv2d.builder()
                        .setIn(1)
                        .setOut(4)
                        .setKernel(3)
                        .optPadding(1)
                        .optBias(false)
                        .build(rng),
                BatchNorm.of2d(4),
                new ReLU(),
                Pool2d.max(2, 2, 0),
                new Flatten(),
                new Dropout(0.5f, rng),
                Linear.of(4 * 3 * 3, 10, rng));
    }

    @Test
    void stateDictNamesFollowPyTorch() {
        Sequential n = net(new Rng(1));
        assertEquals(
                List.of(
                        "0.weight",
                        "1.weight",
                        "1.bias",
                        "1.running_mean",
                        "1.running_var",
                        "1.num_batches_tracked",
                        "6.weight",
                        "6.bias"),
                List.copyOf(n.stateDict().keySet()));
        assertEquals(
                List.of("0.weight", "1.weight", "1.bias", "6.weight", "6.bias"),
                List.copyOf(n.namedParameters().keySet()));
        assertEquals(List.of("1.num_batches_tracked"), List.copyOf(n.integralStateKeys()));
        assertEquals(
                0,
                n.stateDict().get("1.num_batches_tracked").dim(),
                "num_batches_tracked is a scalar as in PyTorch");
        assertEquals(4 * 9 + 4 + 4 + 360 + 10, n.parameterCount());
    }

    @Test
    void outputShapeInfersWithoutComputing() {
        assertArrayEquals(new int[] {5, 10}, net(new Rng(1)).outputShape(new int[] {5, 1, 7, 7}));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> net(new Rng(1)).outputShape(new int[] {5, 3, 7, 7}));
        assertTrue(
                e.getMessage().contains("Conv2d(1 -> 4)")
                        && e.getMessage().contains("(5, 3, 7, 7)"),
                e.getMessage());
    }

    @Test
    void loadStateDictCopiesValuesAndListsEveryProblem() {
        Sequential a = net(new Rng(1)), b = net(new Rng(2));
        b.loadStateDict(a.stateDict(), true);
        Tensor x = Tensor.uniform(new Rng(3), 0, 1, 2, 1, 7, 7);
        a.eval();
        b.eval();
        try (NoGrad g = NoGrad.enter()) {
            assertClose(
                    a.forward(x).toArray(),
                    b.forward(x).toArray(),
                    0,
                    0,
                    "same weights, same output");
        }
        Map<String, Tensor> bad = new LinkedHashMap<>(a.stateDict());
        bad.remove("1.running_var");
        bad.put("6.weight", Tensor.zeros(10, 35));
        bad.put("extra.weight", Tensor.zeros(1));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(bad, true));
        String m = e.getMessage();
        assertTrue(
                m.contains("missing: 1.running_var")
                        && m.contains("shape mismatch: 6.weight expected (10, 36) but got (10, 35)")
                        && m.contains("unexpected: extra.weight"),
                m);
        Map<String, Tensor> withExtra = new LinkedHashMap<>(a.stateDict());
        withExtra.put("extra.weight", Tensor.zeros(1));
        b.loadStateDict(withExtra, false); // non-strict ignores unexpected entries
    }

    @Test
    void trainEvalAndFreezingPropagate() {
        Sequential n = net(new Rng(1));
        assertTrue(n.get(1).isTraining());
        n.eval();
        assertFalse(n.get(1).isTraining());
        assertFalse(n.get(5).isTraining());
        n.setRequiresGrad(false);
        for (Tensor p : n.parameters()) assertFalse(p.requiresGrad());
        assertEquals("6", n.children().keySet().stream().reduce((x, y) -> y).orElseThrow());
        assertTrue(n.module("6") instanceof Linear);
        assertThrows(IllegalArgumentException.class, () -> n.module("7"));
    }

    @Test
    void batchNormModuleTracksRunningStatisticsAndBatches() {
        BatchNorm bn = BatchNorm.of2d(2);
        Tensor x = Tensor.uniform(new Rng(4), 1, 3, 8, 2, 3, 3);
        bn.forward(x);
        bn.forward(x);
        assertEquals(2, bn.batchesTracked());
        float[] rm = bn.runningMean().toArray();
        assertTrue(
                rm[0] > 0.3f && rm[0] < 0.4f,
                "two momentum-0.1 updates toward a mean near 2: " + rm[0]);
        bn.eval();
        bn.forward(x);
        assertEquals(2, bn.batchesTracked(), "evaluation does not count batches");
        assertClose(rm, bn.runningMean().toArray(), 0, 0, "evaluation leaves running stats alone");
        assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(2, 3, 4, 4)));
    }

    @Test
    void defaultInitialisationMatchesPyTorchBounds() {
        Rng rng = new Rng(9);
        Conv2d c = Conv2d.builder().setIn(16).setOut(32).setKernel(3).build(rng);
        float bound = (float) (1 / Math.sqrt(16 * 9));
        double s2 = 0;
        for (float v : c.weight().toArray()) {
            assertTrue(Math.abs(v) <= bound);
            s2 += v * v;
        }
        double std = Math.sqrt(s2 / c.weight().size());
        assertEquals(bound / Math.sqrt(3), std, 0.05 * bound, "uniform(-b, b) has std b/sqrt(3)");
        ConvTranspose2d t =
                ConvTranspose2d.builder()
                        .setIn(8)
                        .setOut(4)
                        .setKernel(4)
                        .optStride(2)
                        .optPadding(1)
                        .build(rng);
        assertArrayEquals(new int[] {8, 4, 4, 4}, t.weight().shape());
        float tb = (float) (1 / Math.sqrt(4 * 16)); // fan-in from weight dim 1, as torch
        for (float v : t.weight().toArray()) assertTrue(Math.abs(v) <= tb);
        assertArrayEquals(new int[] {3, 4, 14, 14}, t.outputShape(new int[] {3, 8, 7, 7}));
    }

    @Test
    void buildersValidate() {
        Rng rng = new Rng(1);
        assertThrows(
                IllegalArgumentException.class,
                () -> Conv2d.builder().setIn(1).setKernel(3).build(rng));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        ConvTranspose2d.builder()
                                .setIn(1)
                                .setOut(1)
                                .setKernel(3)
                                .optStride(2)
                                .optOutputPadding(2)
                                .build(rng));
        assertThrows(
                IllegalArgumentException.class,
                () -> Linear.builder().setIn(0).setOut(3).build(rng));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5f, rng));
    }
}
