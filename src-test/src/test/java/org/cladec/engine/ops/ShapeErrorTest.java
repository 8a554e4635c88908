package org.cladec.engine.ops;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cladec.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Wrong shapes fail with an IllegalArgumentException naming the op and both shapes. */
class ShapeErrorTest {
    private static void fails(Executable e, String... fragments) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        for (String f : fragments)
            assertTrue(
                    ex.getMessage().contains(f),
                    "message '" + ex.getMessage() + "' lacks '" + f + "'");
    }

    @Test
    void everyOpNamesItselfAndTheShapes() {
        Tensor x = Tensor.zeros(2, 3, 8, 8);
        fails(() -> F.add(Tensor.zeros(2, 3), Tensor.zeros(4)), "add", "(2, 3)", "(4,)");
        fails(() -> F.mul(Tensor.zeros(2, 3), Tensor.zeros(3, 2)), "mul", "(2, 3)", "(3, 2)");
        fails(() -> F.matmul(Tensor.zeros(2, 3), Tensor.zeros(4, 5)), "matmul", "(2, 3)", "(4, 5)");
        fails(
                () -> F.linear(Tensor.zeros(2, 3), Tensor.zeros(5, 4), null),
                "linear",
                "(2, 3)",
                "(5, 4)");
        fails(
                () -> F.conv2d(x, Tensor.zeros(4, 2, 3, 3), null, 1, 1),
                "conv2d",
                "(2, 3, 8, 8)",
                "(4, 2, 3, 3)");
        fails(
                () -> F.conv2d(Tensor.zeros(2, 3, 8), Tensor.zeros(4, 3, 3, 3), null, 1, 1),
                "conv2d",
                "(2, 3, 8)");
        fails(
                () -> F.conv2d(Tensor.zeros(1, 1, 2, 2), Tensor.zeros(1, 1, 5, 5), null, 1, 0),
                "conv2d",
                "(1, 1, 2, 2)",
                "(1, 1, 5, 5)");
        fails(
                () -> F.convTranspose2d(x, Tensor.zeros(4, 2, 4, 4), null, 2, 1, 0),
                "conv_transpose2d",
                "(2, 3, 8, 8)",
                "(4, 2, 4, 4)");
        fails(
                () -> F.convTranspose2d(x, Tensor.zeros(3, 2, 4, 4), null, 2, 1, 2),
                "conv_transpose2d",
                "output padding");
        fails(
                () -> F.batchNorm(x, null, null, Tensor.zeros(4), null, true, 0.1f, 1e-5f),
                "batch_norm",
                "(4,)",
                "(2, 3, 8, 8)");
        fails(
                () -> F.batchNorm(Tensor.zeros(1, 3), null, null, null, null, true, 0.1f, 1e-5f),
                "batch_norm",
                "more than 1 value");
        fails(() -> F.maxPool2d(Tensor.zeros(2, 8, 8), 2, 2, 0), "max_pool2d", "(2, 8, 8)");
        fails(() -> F.avgPool2d(Tensor.zeros(1, 1, 2, 2), 3, 1, 0), "avg_pool2d", "(1, 1, 2, 2)");
        fails(() -> F.crossEntropy(Tensor.zeros(2, 5), new int[] {1}), "cross_entropy", "(2, 5)");
        fails(
                () -> F.crossEntropy(Tensor.zeros(2, 5), new int[] {1, 5}),
                "cross_entropy",
                "label 5");
        fails(() -> F.mse(Tensor.zeros(2, 5), Tensor.zeros(5, 2)), "mse_loss", "(2, 5)", "(5, 2)");
        fails(() -> F.bce(Tensor.full(2f, 3), Tensor.zeros(3)), "binary_cross_entropy", "[0, 1]");
        fails(() -> F.dropout(x, 1.5f, true, new org.cladec.engine.tensor.Rng(1)), "dropout");
        fails(() -> F.reshape(x, 5, -1), "reshape");
    }
}
