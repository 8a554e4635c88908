package org.cladec.engine.ops;

import static org.cladec.testing.Close.assertClose;
import static org.cladec.testing.GradCheck.awayFromZero;
import static org.cladec.testing.GradCheck.check;
import static org.cladec.testing.GradCheck.param;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Finite-difference gradient checks for every differentiable op, on several shapes. */
class OpsGradTest {
    private final Rng rng = new Rng(7);

    static Stream<Arguments> broadcastShapes() {
        return Stream.of(
                Arguments.of(new int[] {3, 4}, new int[] {3, 4}),
                Arguments.of(new int[] {2, 3, 4, 5}, new int[] {3, 1, 1}), // per channel
                Arguments.of(new int[] {2, 3, 4}, new int[] {}), // scalar
                Arguments.of(new int[] {1, 4}, new int[] {3, 1}), // both sides stretch
                Arguments.of(new int[] {5}, new int[] {2, 5}));
    }

    @ParameterizedTest
    @MethodSource("broadcastShapes")
    void arithmetic(int[] sa, int[] sb) {
        Tensor a = param(rng, -1f, 1f, sa), b = param(rng, 0.5f, 1.5f, sb);
        check("add", in -> F.add(in[0], in[1]), a, b);
        check("sub", in -> F.sub(in[0], in[1]), a, b);
        check("mul", in -> F.mul(in[0], in[1]), a, b);
        check("div", in -> F.div(in[0], in[1]), a, b);
        check("div reversed", in -> F.div(in[1], in[0]), awayFromZero(rng, 0.5f, sa), b);
    }

    @Test
    void arithmeticOnStridedViews() {
        // A permuted (non-dense) input must still get its gradient in its own layout.
        Tensor a = param(rng, -1f, 1f, 3, 4);
        Tensor b = param(rng, -1f, 1f, 4, 3);
        check(
                "mul of transposed leaf",
                in -> {
                    Tensor t = in[0];
                    return F.mul(F.reshape(t, 4, 3), in[1]);
                },
                a,
                b);
    }

    @Test
    void sumAndMean() {
        Tensor x = param(rng, -1f, 1f, 2, 3, 5);
        check("sum", in -> F.sum(in[0]), x);
        check("mean", in -> F.mean(in[0]), x);
        check("mean of scaled", in -> F.mean(F.mul(F.add(in[0], 1f), 3f)), x);
    }

    @Test
    void matmulAndLinear() {
        check(
                "matmul",
                in -> F.matmul(in[0], in[1]),
                param(rng, -1, 1, 3, 5),
                param(rng, -1, 1, 5, 4));
        check(
                "matmul 1x1",
                in -> F.matmul(in[0], in[1]),
                param(rng, -1, 1, 1, 1),
                param(rng, -1, 1, 1, 1));
        check(
                "linear",
                in -> F.linear(in[0], in[1], in[2]),
                param(rng, -1, 1, 4, 7),
                param(rng, -1, 1, 3, 7),
                param(rng, -1, 1, 3));
        check(
                "linear no bias, batch 1",
                in -> F.linear(in[0], in[1], null),
                param(rng, -1, 1, 1, 5),
                param(rng, -1, 1, 6, 5));
    }

    static Stream<Arguments> convCases() { // N, C, H, W, OC, K, stride, padding, bias
        return Stream.of(
                Arguments.of(1, 1, 5, 5, 1, 3, 1, 0, true),
                Arguments.of(2, 3, 7, 6, 5, 3, 1, 1, true),
                Arguments.of(2, 3, 9, 9, 4, 3, 2, 1, false),
                Arguments.of(1, 5, 8, 7, 3, 1, 1, 0, true),
                Arguments.of(3, 2, 7, 8, 6, 3, 2, 0, true),
                Arguments.of(2, 2, 6, 6, 3, 4, 2, 1, true));
    }

    @ParameterizedTest
    @MethodSource("convCases")
    void conv2d(int n, int c, int h, int w, int oc, int k, int s, int p, boolean bias) {
        Tensor x = param(rng, -1, 1, n, c, h, w), wt = param(rng, -0.5f, 0.5f, oc, c, k, k);
        Tensor b = bias ? param(rng, -1, 1, oc) : null;
        check(
                "conv2d",
                in -> F.conv2d(in[0], in[1], bias ? in[2] : null, s, p),
                bias ? new Tensor[] {x, wt, b} : new Tensor[] {x, wt});
    }

    @Test
    void conv2dRectangularStrideAndPadding() {
        Tensor x = param(rng, -1, 1, 2, 4, 4, 5),
                wt = param(rng, -0.5f, 0.5f, 3, 4, 3, 2),
                b = param(rng, -1, 1, 3);
        check(
                "conv2d stride (2,1) pad (0,1)",
                in -> F.conv2d(in[0], in[1], in[2], 2, 1, 0, 1),
                x,
                wt,
                b);
    }

    static Stream<Arguments>
            convTransposeCases() { // N, Cin, H, W, Cout, K, stride, padding, outPad, bias
        return Stream.of(
                Arguments.of(1, 1, 3, 3, 1, 3, 1, 0, 0, true),
                Arguments.of(2, 4, 4, 5, 3, 4, 2, 1, 0, true),
                Arguments.of(2, 3, 5, 5, 2, 3, 2, 1, 1, false),
                Arguments.of(1, 6, 1, 1, 5, 4, 2, 1, 0, true),
                Arguments.of(2, 5, 3, 4, 7, 3, 2, 0, 1, true),
                Arguments.of(1, 2, 7, 7, 3, 1, 1, 0, 0, true));
    }

    @ParameterizedTest
    @MethodSource("convTransposeCases")
    void convTranspose2d(
            int n, int cin, int h, int w, int cout, int k, int s, int p, int op, boolean bias) {
        Tensor x = param(rng, -1, 1, n, cin, h, w), wt = param(rng, -0.5f, 0.5f, cin, cout, k, k);
        Tensor b = bias ? param(rng, -1, 1, cout) : null;
        check(
                "conv_transpose2d",
                in -> F.convTranspose2d(in[0], in[1], bias ? in[2] : null, s, p, op),
                bias ? new Tensor[] {x, wt, b} : new Tensor[] {x, wt});
    }

    @Test
    void batchNorm() {
        Tensor g = param(rng, 0.5f, 1.5f, 3), b = param(rng, -0.5f, 0.5f, 3);
        Tensor x4 = param(rng, -1, 2, 4, 3, 3, 2);
        check(
                "batch_norm 2d train",
                1e-2,
                2e-3,
                5e-3,
                in -> F.batchNorm(in[0], null, null, in[1], in[2], true, 0.1f, 1e-5f),
                x4,
                g,
                b);
        Tensor rm = Tensor.of(new float[] {0.1f, -0.2f, 0.3f}, 3),
                rv = Tensor.of(new float[] {0.5f, 1.5f, 2f}, 3);
        check(
                "batch_norm 2d eval",
                in -> F.batchNorm(in[0], rm, rv, in[1], in[2], false, 0.1f, 1e-5f),
                x4,
                g,
                b);
        Tensor x2 = param(rng, -1, 2, 5, 3);
        check(
                "batch_norm 1d train",
                1e-2,
                2e-3,
                5e-3,
                in -> F.batchNorm(in[0], null, null, in[1], in[2], true, 0.1f, 1e-5f),
                x2,
                g,
                b);
        check(
                "batch_norm 1d eval",
                in -> F.batchNorm(in[0], rm, rv, in[1], in[2], false, 0.1f, 1e-5f),
                x2,
                g,
                b);
        Tensor x3 = param(rng, -1, 2, 2, 3, 4);
        check(
                "batch_norm 1d (N,C,L) no affine",
                1e-2,
                2e-3,
                5e-3,
                in -> F.batchNorm(in[0], null, null, null, null, true, 0.1f, 1e-5f),
                x3);
    }

    @Test
    void batchNormRelu() {
        Tensor g = param(rng, 0.5f, 1.5f, 3), b = param(rng, -0.2f, 0.2f, 3);
        Tensor x = awayFromZero(rng, 0.5f, 4, 3, 3, 2);
        Tensor rm = Tensor.of(new float[] {0.05f, -0.1f, 0.1f}, 3),
                rv = Tensor.of(new float[] {0.5f, 1.5f, 2f}, 3);
        for (boolean train : new boolean[] {true, false}) {
            Tensor m = train ? null : rm, v = train ? null : rv;
            // finite differences need the outputs off relu's kink by more than a step moves them
            Tensor y = F.batchNorm(x, m, v, g, b, train, 0.1f, 1e-5f);
            float minAbs = Float.MAX_VALUE;
            int clamped = 0;
            for (float e : y.toArray()) {
                minAbs = Math.min(minAbs, Math.abs(e));
                clamped += e < 0 ? 1 : 0;
            }
            assertTrue(minAbs > 0.05f && clamped > 0, "test data: " + minAbs + ", " + clamped);
            String what = "batch_norm_relu " + (train ? "train" : "eval");
            check(
                    what,
                    1e-2,
                    2e-3,
                    5e-3,
                    in -> F.batchNormRelu(in[0], m, v, in[1], in[2], train, 0.1f, 1e-5f),
                    x,
                    g,
                    b);
            // and the same values and gradients as the two ops it fuses
            Tensor[] fused =
                    valueAndGrads(F.batchNormRelu(x, m, v, g, b, train, 0.1f, 1e-5f), x, g, b);
            Tensor[] apart =
                    valueAndGrads(F.relu(F.batchNorm(x, m, v, g, b, train, 0.1f, 1e-5f)), x, g, b);
            for (int i = 0; i < fused.length; i++)
                assertClose(apart[i].toArray(), fused[i].toArray(), 1e-6, 1e-5, what + " " + i);
        }
    }

    /**
     * conv2d + eval-mode batch norm + ReLU fused, with a frozen weight and batch norm and x needing
     * a gradient (a frozen classifier differentiated into its input): finite differences, and the
     * values and input gradient of the three ops apart. Planes of 5 × 5 at strides 1 and 2, and a 2
     * × 2 plane (the dense form). x is redrawn until every pre-activation is off the ReLU's kink by
     * more than a step can move it.
     */
    @Test
    void conv2dBatchNormReluIntoItsInput() {
        Tensor rm = Tensor.of(new float[] {0.05f, -0.1f, 0.1f}, 3),
                rv = Tensor.of(new float[] {0.5f, 1.5f, 2f}, 3),
                g = Tensor.of(new float[] {0.7f, -1.2f, 1.1f}, 3),
                b = Tensor.of(new float[] {0.1f, -0.05f, 0f}, 3);
        for (int[] c : new int[][] {{5, 1}, {5, 2}, {2, 1}}) {
            int h = c[0], s = c[1];
            Tensor wt = Tensor.uniform(rng, -0.5f, 0.5f, 3, 2, 3, 3);
            Tensor x = null;
            for (int tries = 0; tries < 200 && x == null; tries++) {
                Tensor t = param(rng, -1, 1, 2, 2, h, h);
                Tensor pre =
                        F.batchNorm(F.conv2d(t, wt, null, s, 1), rm, rv, g, b, false, 0, 1e-5f);
                float minAbs = Float.MAX_VALUE;
                int clamped = 0;
                for (float e : pre.toArray()) {
                    minAbs = Math.min(minAbs, Math.abs(e));
                    clamped += e < 0 ? 1 : 0;
                }
                if (minAbs > 0.02f && clamped > 0 && clamped < pre.size()) x = t;
            }
            assertNotNull(x, "no input off the kink found");
            String what = "conv2d_batch_norm_relu " + h + "x" + h + " stride " + s;
            check(what, in -> F.conv2dBatchNormRelu(in[0], wt, s, 1, rm, rv, g, b, 1e-5f), x);
            Tensor[] fused =
                    valueAndGrads(F.conv2dBatchNormRelu(x, wt, s, 1, rm, rv, g, b, 1e-5f), x);
            Tensor[] apart =
                    valueAndGrads(
                            F.batchNormRelu(
                                    F.conv2d(x, wt, null, s, 1), rm, rv, g, b, false, 0, 1e-5f),
                            x);
            for (int i = 0; i < fused.length; i++)
                assertClose(apart[i].toArray(), fused[i].toArray(), 1e-6, 1e-5, what + " " + i);
        }
    }

    /** {out, d(Σ out·r)/d(each input)} for a fixed random r. */
    private static Tensor[] valueAndGrads(Tensor out, Tensor... inputs) {
        for (Tensor t : inputs) t.setGrad(null);
        Tensor r = Tensor.uniform(new Rng(5), -1f, 1f, out.shapeRef());
        F.sum(F.mul(out, r)).backward();
        Tensor[] res = new Tensor[inputs.length + 1];
        res[0] = out;
        for (int i = 0; i < inputs.length; i++) res[i + 1] = inputs[i].grad();
        return res;
    }

    @Test
    void activations() {
        Tensor x = awayFromZero(rng, 0.05f, 2, 3, 5);
        check("relu", in -> F.relu(in[0]), x);
        check("leaky_relu", in -> F.leakyRelu(in[0], 0.1f), x);
        check("sigmoid", in -> F.sigmoid(in[0]), param(rng, -4, 4, 2, 7));
        check("tanh", in -> F.tanh(in[0]), param(rng, -2, 2, 3, 3));
    }

    @Test
    void pooling() {
        // Distinct values spaced well beyond 2ε keep max-pool away from ties.
        Tensor x = Tensor.empty(2, 3, 7, 6);
        int[] perm = new int[x.size()];
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        rng.shuffle(perm, perm.length);
        for (int i = 0; i < perm.length; i++) x.data()[i] = perm[i] * 0.05f;
        x.setRequiresGrad(true);
        check("max_pool2d k2 s2", in -> F.maxPool2d(in[0], 2, 2, 0), x);
        check("max_pool2d k3 s2 p1", in -> F.maxPool2d(in[0], 3, 2, 1), x);
        check("avg_pool2d k3 s1 p1", in -> F.avgPool2d(in[0], 3, 1, 1), x);
        check("avg_pool2d k2 s2", in -> F.avgPool2d(in[0], 2, 2, 0), x);
        check("global avg pool", in -> F.globalAvgPool2d(in[0]), x);
    }

    @Test
    void dropoutUsesTheSameMaskInBackward() {
        Tensor x = param(rng, -1, 1, 4, 5);
        check("dropout", in -> F.dropout(in[0], 0.3f, true, new Rng(5)), x);
    }

    @Test
    void reshapes() {
        Tensor x = param(rng, -1, 1, 2, 3, 4);
        check(
                "reshape",
                in -> F.mul(F.reshape(in[0], 4, -1), Tensor.uniform(new Rng(1), -1, 1, 4, 6)),
                x);
        check("flatten", in -> F.flatten(in[0]), x);
    }

    @Test
    void losses() {
        Tensor logits = param(rng, -3, 3, 4, 5);
        check("cross_entropy", in -> F.crossEntropy(in[0], new int[] {0, 4, 2, 2}), logits);
        Tensor a = param(rng, -1, 1, 3, 4), b = param(rng, -1, 1, 3, 4);
        check("mse", in -> F.mse(in[0], in[1]), a, b);
        Tensor p = param(rng, 0.1f, 0.9f, 3, 4);
        Tensor t = Tensor.uniform(rng, 0, 1, 3, 4);
        check("bce", in -> F.bce(in[0], t), p);
        check(
                "extended ClaDec loss mix",
                in ->
                        F.add(
                                F.mul(F.mse(in[0], in[1]), 0.9f),
                                F.mul(F.crossEntropy(in[2], new int[] {1, 0, 3, 2}), 0.1f)),
                a,
                b,
                logits);
    }

    @Test
    void deepChainThroughEveryLayerKind() {
        Tensor x = param(rng, -1, 1, 2, 2, 6, 6);
        Tensor w1 = param(rng, -0.5f, 0.5f, 4, 2, 3, 3),
                w2 = param(rng, -0.5f, 0.5f, 4, 3, 4, 4),
                w3 = param(rng, -0.5f, 0.5f, 5, 3 * 6 * 6);
        check(
                "conv -> bn -> leaky -> convT -> sigmoid -> linear",
                1e-3,
                3e-3,
                1e-2,
                in -> {
                    Tensor h = F.conv2d(in[0], in[1], null, 2, 1);
                    h = F.batchNorm(h, null, null, null, null, true, 0.1f, 1e-5f);
                    h = F.leakyRelu(h, 0.2f);
                    h = F.convTranspose2d(h, in[2], null, 2, 1, 0);
                    h = F.sigmoid(h);
                    return F.linear(F.flatten(h), in[3], null);
                },
                x,
                w1,
                w2,
                w3);
    }
}
