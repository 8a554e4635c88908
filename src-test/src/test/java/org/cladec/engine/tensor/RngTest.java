package org.cladec.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RngTest {
    @Test
    void sameSeedSameStreamDifferentSeedDifferentStream() {
        Rng a = new Rng(42), b = new Rng(42), c = new Rng(43);
        int same = 0;
        for (int i = 0; i < 100; i++) {
            int x = a.nextInt();
            assertEquals(x, b.nextInt());
            if (x == c.nextInt()) same++;
        }
        assertTrue(same < 3);
    }

    @Test
    void stateRoundTripResumesTheStreamExactly() {
        Rng a = new Rng(7);
        a.nextGaussian(); // leaves a cached second value
        long[] state = a.state();
        float[] expected = {a.nextGaussian(), a.nextFloat(), a.nextGaussian()};
        Rng b = new Rng(1);
        b.setState(state);
        assertArrayEquals(
                expected, new float[] {b.nextGaussian(), b.nextFloat(), b.nextGaussian()});
    }

    @Test
    void boundedIntsAreInRangeAndRoughlyUniform() {
        Rng r = new Rng(3);
        int[] counts = new int[7];
        for (int i = 0; i < 70_000; i++) counts[r.nextInt(7)]++;
        for (int c : counts) assertTrue(Math.abs(c - 10_000) < 500, "count " + c);
    }

    @Test
    void gaussianMomentsAndUniformRange() {
        Rng r = new Rng(11);
        double s = 0, s2 = 0;
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            double g = r.nextGaussian();
            s += g;
            s2 += g * g;
            float u = r.nextFloat();
            assertTrue(u >= 0f && u < 1f);
        }
        assertEquals(0, s / n, 0.02);
        assertEquals(1, s2 / n, 0.02);
    }

    @Test
    void shuffleIsAPermutationAndForksDiffer() {
        Rng r = new Rng(5);
        int[] a = new int[50];
        for (int i = 0; i < a.length; i++) a[i] = i;
        r.shuffle(a, a.length);
        int[] sorted = a.clone();
        java.util.Arrays.sort(sorted);
        for (int i = 0; i < a.length; i++) assertEquals(i, sorted[i]);
        assertNotEquals(new Rng(5).fork().nextInt(), new Rng(5).nextInt());
    }
}
