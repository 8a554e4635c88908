package org.cladec.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.cladec.engine.autograd.NoGrad;
import org.cladec.engine.ops.F;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.cladec.model.Classifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link BatchNorm#forwardRelu(Conv2d, Tensor)}: in eval mode with no gradient to record, batch
 * norm and ReLU folded into the convolution's store give the values of the two ops, bit for bit;
 * otherwise it is the two ops.
 */
class ConvBatchNormReluTest {

    /** Batch norm whose running statistics and affine parameters are not the defaults. */
    private static BatchNorm norm(int channels, Rng r) {
        BatchNorm bn = BatchNorm.of2d(channels);
        fill(bn.runningMean(), r, -0.5f, 0.5f);
        fill(bn.runningVar(), r, 0.5f, 2f);
        fill(bn.weight(), r, 0.5f, 1.5f);
        fill(bn.bias(), r, -0.5f, 0.5f);
        return bn;
    }

    private static void fill(Tensor t, Rng r, float lo, float hi) {
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = r.uniform(lo, hi);
    }

    /**
     * (N, C, H = W, OC, stride): batched chunks copied into NCHW, stride-2 windows, one image of
     * 256 output pixels (the product written in place), the dense 2 × 2 forms.
     */
    static Stream<int[]> shapes() {
        return Stream.of(
                new int[] {5, 3, 16, 8, 2},
                new int[] {4, 6, 8, 10, 1},
                new int[] {1, 2, 32, 4, 2},
                new int[] {3, 7, 2, 9, 1},
                new int[] {3, 7, 2, 9, 2});
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void evalWithoutGradientsFoldsIntoTheConvolutionWithTheSameValues(int[] s) {
        Rng r = new Rng(7);
        Conv2d conv = Classifier.Block.conv(s[1], s[3], s[4], r);
        BatchNorm bn = norm(s[3], r);
        Tensor x = Tensor.uniform(r, -1f, 1f, s[0], s[1], s[2], s[2]);
        conv.eval();
        bn.eval();
        Tensor expected, got;
        try (NoGrad g = NoGrad.enter()) {
            expected = bn.forwardRelu(conv.forward(x));
            got = bn.forwardRelu(conv, x);
        }
        assertArrayEquals(expected.shape(), got.shape());
        assertArrayEquals(expected.data(), got.data());
        int zeros = 0;
        for (float v : got.data()) if (v == 0f) zeros++;
        assertTrue(zeros > 0 && zeros < got.size(), "the ReLU clips some outputs, not all");
    }

    @Test
    void withGradientsOrInTrainingItIsTheTwoOps() {
        Rng r = new Rng(8);
        Conv2d conv = Classifier.Block.conv(3, 5, 2, r);
        BatchNorm bn = norm(5, r);
        Tensor x = Tensor.uniform(r, -1f, 1f, 4, 3, 8, 8);
        bn.eval();
        Tensor expected = bn.forwardRelu(conv.forward(x)), got = bn.forwardRelu(conv, x);
        assertTrue(got.requiresGrad(), "the weight requires a gradient: recorded for backward");
        assertArrayEquals(expected.data(), got.data());
        bn.train(true);
        long before = bn.batchesTracked();
        Tensor trained = bn.forwardRelu(conv, x);
        assertEquals(before + 1, bn.batchesTracked());
        assertTrue(trained.requiresGrad());
    }

    @Test
    void aFrozenBlockFoldsAndGivesTheTwoOpsInputGradient() {
        Rng r = new Rng(10);
        Conv2d conv = Classifier.Block.conv(3, 5, 2, r);
        BatchNorm bn = norm(5, r);
        conv.setRequiresGrad(false);
        bn.setRequiresGrad(false);
        conv.eval();
        bn.eval();
        Tensor x = Tensor.uniform(r, -1f, 1f, 4, 3, 8, 8).setRequiresGrad(true);
        Tensor dy = Tensor.uniform(r, -1f, 1f, 4, 5, 4, 4);
        Tensor apart = bn.forwardRelu(conv.forward(x));
        F.sum(F.mul(apart, dy)).backward();
        float[] dxApart = x.grad().toArray();
        x.setGrad(null);
        Tensor fused = bn.forwardRelu(conv, x);
        assertArrayEquals(apart.data(), fused.data());
        assertTrue(fused.requiresGrad(), "x requires a gradient: recorded for backward");
        F.sum(F.mul(fused, dy)).backward();
        assertArrayEquals(dxApart, x.grad().toArray());
    }

    @Test
    void theFusedOpRefusesInputsThatNeedAGradientAndMisshapedStatistics() {
        Rng r = new Rng(9);
        Conv2d conv = Classifier.Block.conv(2, 3, 1, r);
        BatchNorm bn = norm(3, r);
        Tensor x = Tensor.uniform(r, -1f, 1f, 2, 2, 4, 4);
        IllegalStateException e =
                assertThrows(
                        IllegalStateException.class, () -> fused(x, conv, bn, bn.runningMean()));
        assertTrue(e.getMessage().contains("conv2d_batch_norm_relu"), e.getMessage());
        try (NoGrad g = NoGrad.enter()) {
            IllegalArgumentException bad =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> fused(x, conv, bn, Tensor.zeros(4)));
            assertTrue(
                    bad.getMessage().contains("running_mean of shape (3,) for input (2, 3, 4, 4)"),
                    bad.getMessage());
        }
    }

    /** F.conv2dBatchNormRelu with conv's weight and bn's statistics, the running mean given. */
    private static Tensor fused(Tensor x, Conv2d conv, BatchNorm bn, Tensor runningMean) {
        return F.conv2dBatchNormRelu(
                x,
                conv.weight(),
                conv.stride(),
                conv.padding(),
                runningMean,
                bn.runningVar(),
                bn.weight(),
                bn.bias(),
                1e-5f);
    }
}
