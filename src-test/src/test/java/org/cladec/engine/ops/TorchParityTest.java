package org.cladec.engine.ops;

import static org.cladec.testing.Close.assertClose;
import static org.cladec.testing.Fixtures.tensor;
import static org.cladec.testing.Fixtures.torchCases;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.Stream;
import org.cladec.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Forward values and gradients against PyTorch 1.13 (fixtures/engine/torch_ops.json, made by
 * make_fixtures.py beside it). Gradients are those of {@code Σ out ⊙ dout}.
 */
class TorchParityTest {
    static final double ATOL = 1e-5, RTOL = 1e-4;

    static Stream<JsonNode> conv2d() {
        return torchCases("conv2d").stream();
    }

    static Stream<JsonNode> convTranspose2d() {
        return torchCases("conv_transpose2d").stream();
    }

    static Stream<JsonNode> batchNorm() {
        return torchCases("batch_norm").stream();
    }

    private static Tensor leaf(JsonNode c, String name) {
        return tensor(c, name).setRequiresGrad(true);
    }

    private static void backward(Tensor out, JsonNode c) {
        F.sum(F.mul(out, tensor(c, "dout"))).backward();
    }

    @ParameterizedTest
    @MethodSource
    void conv2d(JsonNode c) {
        JsonNode cfg = c.get("config");
        boolean bias = cfg.get("bias").asBoolean();
        Tensor x = leaf(c, "x"), w = leaf(c, "w"), b = bias ? leaf(c, "b") : null;
        Tensor out = F.conv2d(x, w, b, cfg.get("stride").asInt(), cfg.get("padding").asInt());
        String what = "conv2d " + cfg;
        assertClose(tensor(c, "out").data(), out.toArray(), ATOL, RTOL, what + " out");
        backward(out, c);
        assertClose(tensor(c, "dx").data(), x.grad().toArray(), ATOL, RTOL, what + " dx");
        assertClose(tensor(c, "dw").data(), w.grad().toArray(), ATOL, RTOL, what + " dw");
        if (bias) assertClose(tensor(c, "db").data(), b.grad().toArray(), ATOL, RTOL, what + " db");
    }

    @ParameterizedTest
    @MethodSource
    void convTranspose2d(JsonNode c) {
        JsonNode cfg = c.get("config");
        boolean bias = cfg.get("bias").asBoolean();
        Tensor x = leaf(c, "x"), w = leaf(c, "w"), b = bias ? leaf(c, "b") : null;
        Tensor out =
                F.convTranspose2d(
                        x,
                        w,
                        b,
                        cfg.get("stride").asInt(),
                        cfg.get("padding").asInt(),
                        cfg.get("output_padding").asInt());
        String what = "conv_transpose2d " + cfg;
        assertEquals(
                List.of(tensor(c, "out").shape()[2], tensor(c, "out").shape()[3]),
                List.of(out.shape(2), out.shape(3)),
                what + " output size");
        assertClose(tensor(c, "out").data(), out.toArray(), ATOL, RTOL, what + " out");
        backward(out, c);
        assertClose(tensor(c, "dx").data(), x.grad().toArray(), ATOL, RTOL, what + " dx");
        assertClose(tensor(c, "dw").data(), w.grad().toArray(), ATOL, RTOL, what + " dw");
        if (bias) assertClose(tensor(c, "db").data(), b.grad().toArray(), ATOL, RTOL, what + " db");
    }

    @ParameterizedTest
    @MethodSource
    void batchNorm(JsonNode c) {
        JsonNode cfg = c.get("config");
        boolean training = cfg.get("training").asBoolean();
        Tensor x = leaf(c, "x"), g = leaf(c, "gamma"), b = leaf(c, "beta");
        Tensor rm = tensor(c, "running_mean"), rv = tensor(c, "running_var");
        Tensor out =
                F.batchNorm(
                        x,
                        rm,
                        rv,
                        g,
                        b,
                        training,
                        (float) cfg.get("momentum").asDouble(),
                        (float) cfg.get("eps").asDouble());
        String what = "batch_norm " + cfg + " " + java.util.Arrays.toString(x.shape());
        assertClose(tensor(c, "out").data(), out.toArray(), 1e-4, 1e-4, what + " out");
        assertClose(
                tensor(c, "running_mean_after").data(),
                rm.toArray(),
                1e-6,
                1e-5,
                what + " running_mean");
        assertClose(
                tensor(c, "running_var_after").data(),
                rv.toArray(),
                1e-6,
                1e-5,
                what + " running_var");
        backward(out, c);
        assertClose(tensor(c, "dx").data(), x.grad().toArray(), 1e-4, 1e-3, what + " dx");
        assertClose(tensor(c, "dgamma").data(), g.grad().toArray(), 1e-4, 1e-4, what + " dgamma");
        assertClose(tensor(c, "dbeta").data(), b.grad().toArray(), 1e-4, 1e-4, what + " dbeta");
    }

    @Test
    void crossEntropy() {
        for (JsonNode c : torchCases("cross_entropy")) {
            JsonNode lab = c.get("config").get("labels");
            int[] labels = new int[lab.size()];
            for (int i = 0; i < labels.length; i++) labels[i] = lab.get(i).asInt();
            Tensor logits = leaf(c, "logits");
            Tensor loss = F.crossEntropy(logits, labels);
            assertClose(
                    tensor(c, "loss").data(),
                    new float[] {loss.item()},
                    1e-5,
                    1e-5,
                    "cross_entropy loss");
            loss.backward();
            assertClose(
                    tensor(c, "dlogits").data(),
                    logits.grad().toArray(),
                    1e-6,
                    1e-5,
                    "cross_entropy dlogits");
        }
    }

    @Test
    void mseAndBce() {
        JsonNode m = torchCases("mse").get(0);
        Tensor a = leaf(m, "a"), b = leaf(m, "b");
        Tensor loss = F.mse(a, b);
        assertClose(tensor(m, "loss").data(), new float[] {loss.item()}, 1e-6, 1e-5, "mse loss");
        loss.backward();
        assertClose(tensor(m, "da").data(), a.grad().toArray(), 1e-6, 1e-5, "mse da");
        assertClose(tensor(m, "db").data(), b.grad().toArray(), 1e-6, 1e-5, "mse db");

        JsonNode c = torchCases("bce").get(0);
        Tensor p = leaf(c, "p");
        Tensor bce = F.bce(p, tensor(c, "t"));
        assertClose(tensor(c, "loss").data(), new float[] {bce.item()}, 1e-6, 1e-5, "bce loss");
        bce.backward();
        assertClose(tensor(c, "dp").data(), p.grad().toArray(), 1e-6, 1e-4, "bce dp");
    }
}
