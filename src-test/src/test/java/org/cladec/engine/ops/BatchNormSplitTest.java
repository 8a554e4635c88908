package org.cladec.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.cladec.engine.parallel.Parallel;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Batch norm splits its work by images and its statistics by blocks of images: through the pool it
 * gives what one thread gives, bit for bit (output, running statistics and every gradient), on
 * shapes that the pool really splits, with a batch that is not a whole number of blocks.
 */
class BatchNormSplitTest {
    /** (N, C, HW): planes of the plane-wise path and of the image-run path (HW < 64). */
    static final int[][] SHAPES = {{45, 16, 100}, {301, 64, 4}, {260, 300, 1}};

    @Test
    void poolGivesOneThreadsBits() {
        for (int[] sh : SHAPES) {
            for (boolean training : new boolean[] {true, false}) {
                for (boolean relu : new boolean[] {false, true}) {
                    String what =
                            sh[0]
                                    + "x"
                                    + sh[1]
                                    + "x"
                                    + sh[2]
                                    + " training="
                                    + training
                                    + " relu="
                                    + relu;
                    float[][] one = new float[6][], pool = new float[6][];
                    Parallel.serially(() -> run(sh, training, relu, one));
                    run(sh, training, relu, pool);
                    for (int i = 0; i < one.length; i++)
                        assertArrayEquals(one[i], pool[i], what + " result " + i);
                }
            }
        }
    }

    @Test
    void theShapesAreSplit() {
        if (Parallel.threads() < 2) return; // nothing to split on a one-core machine
        for (int[] sh : SHAPES) {
            Set<String> names = ConcurrentHashMap.newKeySet();
            int perImage = sh[1] * sh[2];
            Parallel.forRange(
                    sh[0],
                    BatchNorm.minImages(perImage),
                    (lo, hi) -> names.add(Thread.currentThread().getName()));
            assertTrue(names.size() > 1, "split by images: " + names);
        }
    }

    /** out, running mean and var, dx, dgamma, dbeta of a forward and backward pass. */
    private static void run(int[] sh, boolean training, boolean relu, float[][] into) {
        int N = sh[0], C = sh[1], HW = sh[2];
        Rng r = new Rng(42);
        Tensor x = Tensor.uniform(r, -1, 3, N, C, HW).setRequiresGrad(true);
        Tensor gamma = Tensor.uniform(r, 0.5f, 1.5f, C).setRequiresGrad(true);
        Tensor beta = Tensor.uniform(r, -1, 1, C).setRequiresGrad(true);
        Tensor rm = Tensor.uniform(r, -0.5f, 0.5f, C), rv = Tensor.uniform(r, 0.5f, 1.5f, C);
        Tensor w = Tensor.uniform(r, -1, 1, N, C, HW);
        Tensor out =
                relu
                        ? F.batchNormRelu(x, rm, rv, gamma, beta, training, 0.1f, 1e-5f)
                        : F.batchNorm(x, rm, rv, gamma, beta, training, 0.1f, 1e-5f);
        F.sum(F.mul(out, w)).backward();
        into[0] = out.toArray();
        into[1] = rm.toArray();
        into[2] = rv.toArray();
        into[3] = x.grad().toArray();
        into[4] = gamma.grad().toArray();
        into[5] = beta.grad().toArray();
    }
}
