package org.cladec.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cladec.engine.parallel.Parallel;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Inverted dropout: about a fraction p of the elements zeroed, the rest scaled by 1/(1 − p); the
 * same mask from the same seed, on one thread or the pool (a tensor the pool splits), a new one for
 * the next call; the gradient through the same mask; the identity in evaluation.
 */
class DropoutTest {
    private static final int N = 3 * Parallel.MIN_ELEMENTS + 17; // split over the pool

    @Test
    void dropsAboutPAndScalesTheRest() {
        for (float p : new float[] {0.1f, 0.5f, 0.9f}) {
            Tensor x = Tensor.uniform(new Rng(3), 1, 2, N);
            float[] in = x.toArray(), out = F.dropout(x, p, true, new Rng(4)).toArray();
            long key = new Rng(4).nextKey(); // the one draw dropout makes
            int dropped = 0;
            for (int i = 0; i < N; i++) {
                assertEquals(Rng.uniformAt(key, i) < p, out[i] == 0f, "element " + i);
                if (out[i] == 0f) dropped++;
                else assertEquals(in[i] / (1f - p), out[i], 1e-6f * out[i], "element " + i);
            }
            // binomial: the standard deviation of the count is sqrt(N p (1 − p)) < 160
            assertEquals(p * N, dropped, 800, "dropped at p = " + p);
        }
    }

    @Test
    void poolGivesOneThreadsMask() {
        Tensor x = Tensor.uniform(new Rng(3), -1, 1, N);
        float[][] one = new float[1][];
        Parallel.serially(() -> one[0] = F.dropout(x, 0.5f, true, new Rng(9)).toArray());
        assertArrayEquals(one[0], F.dropout(x, 0.5f, true, new Rng(9)).toArray());
        Rng r = new Rng(9);
        float[] first = F.dropout(x, 0.5f, true, r).toArray();
        assertArrayEquals(one[0], first, "same seed, same mask");
        assertNotEquals(
                java.util.Arrays.toString(first),
                java.util.Arrays.toString(F.dropout(x, 0.5f, true, r).toArray()),
                "the next call draws a new mask");
    }

    @Test
    void gradientGoesThroughTheSameMask() {
        Tensor x = Tensor.uniform(new Rng(3), 1, 2, N).setRequiresGrad(true);
        Tensor out = F.dropout(x, 0.3f, true, new Rng(5));
        F.sum(out).backward();
        float[] o = out.toArray(), g = x.grad().toArray();
        for (int i = 0; i < N; i++)
            assertEquals(o[i] == 0f ? 0f : 1f / 0.7f, g[i], 1e-6f, "element " + i);
    }

    @Test
    void evaluationAndTheEdgeProbabilities() {
        Tensor x = Tensor.uniform(new Rng(3), 1, 2, 1000);
        assertSame(x, F.dropout(x, 0.5f, false, new Rng(1)));
        assertSame(x, F.dropout(x, 0f, true, new Rng(1)));
        for (float v : F.dropout(x, 1f, true, new Rng(1)).toArray()) assertEquals(0f, v);
    }

    @Test
    void counterStreamIsUniformAndKeyed() {
        long key = new Rng(1).nextKey();
        double sum = 0;
        int[] bins = new int[10];
        for (int i = 0; i < 100_000; i++) {
            float u = Rng.uniformAt(key, i);
            assertTrue(u >= 0f && u < 1f, "in [0, 1): " + u);
            sum += u;
            bins[(int) (u * 10)]++;
        }
        assertEquals(0.5, sum / 100_000, 0.005);
        for (int b : bins) assertEquals(10_000, b, 500);
        assertEquals(Rng.uniformAt(key, 7), Rng.uniformAt(key, 7));
        assertNotEquals(Rng.uniformAt(key, 7), Rng.uniformAt(key + 1, 7));
    }
}
