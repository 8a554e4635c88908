package org.cladec.engine.kernels.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The lanes the stride-phase permutes give a plane's pixels ({@code ConvPacks.PlaneTaps.lanes}): no
 * two pixels of one input vector, and no two of one phase, may share a lane, or sorting a plane
 * into its phases would overwrite pixels. The convolution tests check whole kernels on real
 * geometries, where a lane free at both ends is nearly always found; here random vector × phase
 * graphs with every vertex full (L pixels) force the alternating-path swaps too.
 */
class PlaneLanesTest {
    private static final int L = Simd.L;

    @Test
    void everyVectorAndEveryPhaseGetsDistinctLanes() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 300; trial++) {
            int V = 1 + rnd.nextInt(4), M = V + rnd.nextInt(5 - V), n = V * L;
            int[] vectorOf = new int[n], phaseOf = new int[n], preferred = new int[n];
            // phases of at most L pixels each: a shuffled deck of M·L slots, the first n dealt
            int[] deck = new int[M * L];
            for (int i = 0; i < deck.length; i++) deck[i] = i / L;
            for (int i = deck.length - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1), t = deck[i];
                deck[i] = deck[j];
                deck[j] = t;
            }
            for (int q = 0; q < n; q++) {
                vectorOf[q] = q / L;
                phaseOf[q] = deck[q];
                preferred[q] = trial % 2 == 0 ? rnd.nextInt(L) : q % L;
            }
            int[] lane = ConvPacks.PlaneTaps.lanes(phaseOf, M, preferred);
            assertProper(lane, vectorOf, V, phaseOf, M, "trial " + trial);
        }
    }

    @Test
    void aPixelKeepsItsPreferredLaneWhenNothingElseWantsIt() {
        // one vector that is its own one phase: every pixel keeps its own lane (the in-place case)
        int[] zero = new int[L], natural = new int[L];
        for (int q = 0; q < L; q++) natural[q] = q;
        int[] lane = ConvPacks.PlaneTaps.lanes(zero, 1, natural);
        for (int q = 0; q < L; q++) assertEquals(q, lane[q]);
    }

    private static void assertProper(
            int[] lane, int[] vectorOf, int V, int[] phaseOf, int M, String what) {
        boolean[][] byVector = new boolean[V][L], byPhase = new boolean[M][L];
        for (int q = 0; q < lane.length; q++) {
            int c = lane[q];
            assertTrue(c >= 0 && c < L, what + ": pixel " + q + " got lane " + c);
            assertTrue(!byVector[vectorOf[q]][c], what + ": lane " + c + " twice in a vector");
            assertTrue(!byPhase[phaseOf[q]][c], what + ": lane " + c + " twice in a phase");
            byVector[vectorOf[q]][c] = true;
            byPhase[phaseOf[q]][c] = true;
        }
    }
}
