package org.cladec.engine.optim;

import static org.cladec.testing.Close.assertClose;
import static org.cladec.testing.Fixtures.tensor;
import static org.cladec.testing.Fixtures.torchCases;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.parallel.Parallel;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Optimizers step for step against torch.optim (fixtures), schedulers and clipping by formula. */
class OptimizerTest {

    private static Optimizer make(String kind, JsonNode cfg, Tensor p) {
        float lr = (float) cfg.get("lr").asDouble(),
                wd = (float) cfg.get("weight_decay").asDouble();
        return switch (kind) {
            case "sgd" -> new Sgd(List.of(p), lr);
            case "sgd_momentum", "sgd_nesterov" ->
                    new Sgd(
                            List.of(p),
                            lr,
                            (float) cfg.get("momentum").asDouble(),
                            (float) cfg.get("dampening").asDouble(),
                            wd,
                            cfg.get("nesterov").asBoolean());
            case "adam" -> new Adam(List.of(p), lr, wd);
            case "adamw" -> Adam.adamW(List.of(p), lr, wd);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    /**
     * A parameter large enough to be split over the pool's threads (and each part into kernel
     * blocks) gets exactly the update of one pass over all of it: every element once, none twice,
     * independent of the thread count.
     */
    @Test
    void aParameterSplitOverThreadsGetsTheUpdateOfOnePass() {
        int n = 3 * Parallel.MIN_ELEMENTS + 5;
        Rng r = new Rng(7);
        float[] p0 = new float[n], g = new float[n];
        for (int i = 0; i < n; i++) {
            p0[i] = r.uniform(-1, 1);
            g[i] = r.uniform(-1, 1);
        }
        Tensor pa = Tensor.wrap(p0.clone(), n).setRequiresGrad(true),
                ps = Tensor.wrap(p0.clone(), n).setRequiresGrad(true);
        pa.setGrad(Tensor.wrap(g.clone(), n));
        ps.setGrad(Tensor.wrap(g.clone(), n));
        Optimizer adam = Adam.adamW(List.of(pa), 1e-2f, 0.01f);
        Optimizer sgd = new Sgd(List.of(ps), 0.1f, 0.9f, 0f, 1e-3f, true);
        float[] pa1 = p0.clone(), m = new float[n], v = new float[n];
        float[] ps1 = p0.clone(), buf = new float[n];
        for (int step = 1; step <= 3; step++) {
            adam.step();
            sgd.step();
            Kernels.optim().adam(pa1, g, m, v, 0, n, 1e-2f, 0.9f, 0.999f, 1e-8f, 0.01f, true, step);
            Kernels.optim().sgd(ps1, g, buf, 0, n, 0.1f, 0.9f, 0f, 1e-3f, true, step == 1);
        }
        assertArrayEquals(pa1, pa.data(), "Adam on " + Parallel.threads() + " threads");
        assertArrayEquals(ps1, ps.data(), "SGD on " + Parallel.threads() + " threads");
    }

    @Test
    void matchesTorchOptim() {
        for (JsonNode c : torchCases("optimizer")) {
            String kind = c.get("config").get("kind").asText();
            Tensor p = tensor(c, "p0").setRequiresGrad(true);
            Tensor grads = tensor(c, "grads");
            Optimizer opt = make(kind, c.get("config"), p);
            int steps = grads.shape(0), n = p.size();
            for (int s = 0; s < steps; s++) {
                float[] g = new float[n];
                System.arraycopy(grads.data(), s * n, g, 0, n);
                p.setGrad(Tensor.wrap(g, n));
                opt.step();
            }
            assertClose(
                    tensor(c, "p").data(),
                    p.toArray(),
                    1e-6,
                    1e-5,
                    kind + " after " + steps + " steps");
        }
    }

    @Test
    void skipsParametersWithoutGradient() {
        Tensor p = Tensor.of(new float[] {1, 2}, 2).setRequiresGrad(true);
        new Adam(List.of(p), 0.1f, 0f).step();
        assertClose(new float[] {1, 2}, p.toArray(), 0, 0, "untouched");
    }

    @Test
    void schedulers() {
        Tensor p = Tensor.zeros(1).setRequiresGrad(true);
        Sgd opt = new Sgd(List.of(p), 0.1f);
        LrScheduler step = LrScheduler.stepDecay(opt, 2, 0.5f);
        float[] expected = {0.1f, 0.05f, 0.05f, 0.025f, 0.025f};
        for (int e = 0; e < 5; e++) {
            step.step();
            assertEquals(expected[e], opt.lr(), 1e-7, "step decay after epoch " + (e + 1));
        }
        Sgd opt2 = new Sgd(List.of(p), 1f);
        LrScheduler cos = LrScheduler.cosine(opt2, 4, 0f);
        cos.step();
        assertEquals((1 + Math.cos(Math.PI / 4)) / 2, opt2.lr(), 1e-6);
        cos.setEpoch(4);
        assertEquals(0f, opt2.lr(), 1e-7);
        cos.setEpoch(2);
        assertEquals(0.5f, opt2.lr(), 1e-6);
    }

    @Test
    void gradientClipping() {
        Tensor a = Tensor.zeros(2).setRequiresGrad(true), b = Tensor.zeros(1).setRequiresGrad(true);
        a.setGrad(Tensor.of(new float[] {3, 0}, 2));
        b.setGrad(Tensor.of(new float[] {4}, 1));
        float norm = GradClip.clipNorm(List.of(a, b), 1f);
        assertEquals(5f, norm, 1e-6);
        assertClose(new float[] {0.6f, 0f}, a.grad().toArray(), 1e-5, 0, "clipped a");
        assertClose(new float[] {0.8f}, b.grad().toArray(), 1e-5, 0, "clipped b");
        GradClip.clipValue(List.of(a, b), 0.7f);
        assertClose(new float[] {0.6f, 0f}, a.grad().toArray(), 1e-6, 0, "value-clipped a");
        assertClose(new float[] {0.7f}, b.grad().toArray(), 1e-6, 0, "value-clipped b");
        assertTrue(GradClip.clipNorm(List.of(a), 10f) < 1f);
    }

    @Test
    void rejectsBadHyperparameters() {
        Tensor p = Tensor.zeros(1).setRequiresGrad(true);
        assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(p), -1f));
        assertThrows(
                IllegalArgumentException.class, () -> new Sgd(List.of(p), 0.1f, 0f, 0f, 0f, true));
        assertThrows(
                IllegalArgumentException.class,
                () -> new Adam(List.of(p), 0.1f, 1f, 0.9f, 1e-8f, 0f, false));
        assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(), 0.1f, 0f));
    }
}
