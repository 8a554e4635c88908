package org.cladec.engine.kernels.simd;

import static org.cladec.testing.RandomArrays.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cladec.engine.kernels.ConvGeom;
import org.cladec.engine.tensor.Rng;
import org.junit.jupiter.api.Test;

/**
 * The inference path's kept weight matrix ({@code DenseConv.Kept}) and the pre-packed B it rests on
 * ({@code Gemm.Packed}): a kept product is bit for bit the product packed afresh, and it follows
 * every change to the weights, however they are written.
 */
class DenseKeptTest {
    /**
     * 2×2 planes at stride 1 and 2; the first has Q = 320 > KC rows and 800 > NC columns, so
     * several blocks each way and a last panel cut short.
     */
    private static final ConvGeom[] DENSE = {
        ConvGeom.conv(5, 80, 2, 2, 200, 3, 3, 1, 1, 1, 1),
        ConvGeom.conv(3, 37, 2, 2, 19, 3, 3, 2, 2, 1, 1),
        ConvGeom.transposed(4, 31, 1, 1, 6, 4, 4, 2, 2, 1, 1, 0, 0),
    };

    /** out for images [0, N), channels [ocLo, ocHi), packed afresh or kept. */
    private static float[] forward(
            float[] x, float[] w, ConvGeom g, int ocLo, int ocHi, boolean keep, Gemm.Scratch s) {
        float[] out = new float[g.outSize()];
        DenseConv.forward(out, x, w, null, g, false, 0, g.N, ocLo, ocHi, keep, s);
        return out;
    }

    @Test
    void aKeptProductIsTheFreshOneAndFollowsTheWeights() {
        Rng r = new Rng(21);
        Gemm.Scratch s = new Gemm.Scratch();
        for (ConvGeom g : DENSE) {
            assertTrue(DenseConv.applies(g), g.toString());
            float[] x = uniform(r, g.xSize()), w = uniform(r, g.wSize());
            int ocLo = g.OC / 3, ocHi = g.OC; // a part starting mid-way, as a thread's is
            int CKK = g.C * g.KH * g.KW, used = -1; // a tap that links some pixel pair
            for (int t : DenseConv.taps(g, s)) used = Math.max(used, t);
            for (int call = 0; call < 2; call++) // packs, then reuses
            assertArrayEquals(
                        forward(x, w, g, ocLo, ocHi, false, s),
                        forward(x, w, g, ocLo, ocHi, true, s),
                        g + " call " + call);
            // writes through the array, as an optimizer or a finite-difference check makes them:
            // the part's first, a middle and its last weight (at a tap some pixel pair
            // uses), and one outside the part
            for (int i :
                    new int[] {
                        ocLo * CKK + used,
                        (ocLo + ocHi) / 2 * CKK + used,
                        ocHi * CKK - g.KH * g.KW + used,
                        0
                    }) {
                float[] before = forward(x, w, g, ocLo, ocHi, true, s);
                w[i] += 0.5f;
                float[] fresh = forward(x, w, g, ocLo, ocHi, false, s);
                assertArrayEquals(
                        fresh, forward(x, w, g, ocLo, ocHi, true, s), g + " w[" + i + "]");
                if (i >= ocLo * CKK) assertNotEquals(0, java.util.Arrays.compare(before, fresh));
            }
            // -0 for +0 is a change too: the bits differ
            w[ocLo * CKK] = 0f;
            forward(x, w, g, ocLo, ocHi, true, s);
            w[ocLo * CKK] = -0f;
            assertArrayEquals(
                    forward(x, w, g, ocLo, ocHi, false, s),
                    forward(x, w, g, ocLo, ocHi, true, s),
                    g + " -0");
        }
    }

    /** dx for images [0, N), input channels [cLo, cHi), D packed afresh or kept. */
    private static float[] backwardInput(
            float[] dOut, float[] w, ConvGeom g, int cLo, int cHi, boolean keep, Gemm.Scratch s) {
        float[] dx = new float[g.xSize()];
        DenseConv.backwardInput(dx, dOut, w, g, 0, g.N, cLo, cHi, keep, s);
        return dx;
    }

    /**
     * The input gradient's kept D (a frozen network): bit for bit the fresh product, and it follows
     * writes to the part's weights in any output channel's row, not to others'.
     */
    @Test
    void aKeptInputGradientIsTheFreshOneAndFollowsThePartsWeights() {
        Rng r = new Rng(24);
        Gemm.Scratch s = new Gemm.Scratch();
        for (ConvGeom g : DENSE) {
            float[] dOut = uniform(r, g.outSize()), w = uniform(r, g.wSize());
            int cLo = g.C / 3, cHi = g.C, KK = g.KH * g.KW, CKK = g.C * KK;
            int used = -1;
            for (int t : DenseConv.taps(g, s)) used = Math.max(used, t);
            for (int call = 0; call < 2; call++)
                assertArrayEquals(
                        backwardInput(dOut, w, g, cLo, cHi, false, s),
                        backwardInput(dOut, w, g, cLo, cHi, true, s),
                        g + " call " + call);
            // the part's first channel in the first row, its last in the last row, a middle one
            for (int i :
                    new int[] {
                        cLo * KK + used,
                        (g.OC - 1) * CKK + (cHi - 1) * KK + used,
                        g.OC / 2 * CKK + (cLo + cHi) / 2 * KK + used
                    }) {
                float[] before = backwardInput(dOut, w, g, cLo, cHi, true, s);
                w[i] += 0.5f;
                float[] fresh = backwardInput(dOut, w, g, cLo, cHi, false, s);
                assertNotEquals(0, java.util.Arrays.compare(before, fresh), "w[" + i + "] is used");
                assertArrayEquals(
                        fresh, backwardInput(dOut, w, g, cLo, cHi, true, s), g + " w[" + i + "]");
            }
            // forward and backward parts of the same weights are kept apart
            float[] x = uniform(r, g.xSize());
            assertArrayEquals(
                    forward(x, w, g, 0, g.OC, false, s), forward(x, w, g, 0, g.OC, true, s));
            assertArrayEquals(
                    backwardInput(dOut, w, g, 0, g.C, false, s),
                    backwardInput(dOut, w, g, 0, g.C, true, s));
        }
    }

    @Test
    void partsArraysAndBatchSizesAreKeptApart() {
        Rng r = new Rng(22);
        Gemm.Scratch s = new Gemm.Scratch();
        ConvGeom g = DENSE[1], half = g.withN(1);
        float[] w1 = uniform(r, g.wSize()), w2 = w1.clone(), x = uniform(r, g.xSize());
        w2[w2.length - 1] += 1f; // equal but for one weight, in another array
        float[] xHalf = java.util.Arrays.copyOf(x, half.xSize());
        // more (array, part) pairs than the scratch keeps, twice round, interleaved
        for (int round = 0; round < 2; round++) {
            for (float[] w : new float[][] {w1, w2}) {
                for (int[] part : new int[][] {{0, g.OC}, {0, 7}, {7, g.OC}}) {
                    assertArrayEquals(
                            forward(x, w, g, part[0], part[1], false, s),
                            forward(x, w, g, part[0], part[1], true, s),
                            "round " + round + " part " + part[0] + ".." + part[1]);
                    // the same weights at another batch size: D does not depend on it
                    assertArrayEquals(
                            forward(xHalf, w, half, part[0], part[1], false, s),
                            forward(xHalf, w, half, part[0], part[1], true, s),
                            "batch 1, part " + part[0] + ".." + part[1]);
                }
            }
        }
    }

    @Test
    void aPackedMatrixMultipliesAsItsSourceAndPacksAnyPanel() {
        Rng r = new Rng(23);
        Gemm.Scratch s = new Gemm.Scratch();
        int[][] shapes = {{300, 1000}, {17, 5}, {256, 384}, {513, 49}};
        for (int[] kn : shapes) {
            int K = kn[0], N = kn[1], M = 11;
            float[] b = uniform(r, K * N), a = uniform(r, M * K);
            Gemm.Packed p = new Gemm.Packed().fill(s.rowMajor.set(b, 0, N), K, N, s);
            float[] viaSource = new float[M * N], viaPacked = new float[M * N];
            Gemm.gemm(viaSource, 0, N, a, 0, K, 1, s.rowMajor.set(b, 0, N), M, N, K, false, s);
            Gemm.gemm(viaPacked, 0, N, a, 0, K, 1, p, M, N, K, false, s);
            assertArrayEquals(viaSource, viaPacked, K + "x" + N);
            // pack(): panels at any column, across block edges, and short ones padded with zeros
            for (int[] q :
                    new int[][] {
                        {0, K, 0, Math.min(N, Gemm.NR)},
                        {K / 2, K - K / 2, N - 1, 1},
                        {
                            1,
                            Math.min(K - 1, 3),
                            Math.max(0, N - Gemm.NR + 3),
                            Math.min(N, Gemm.NR - 3)
                        }
                    }) {
                int k0 = q[0], kc = q[1], j0 = q[2], nr = Math.min(q[3], N - j0);
                float[] got = uniform(r, kc * Gemm.NR), want = new float[kc * Gemm.NR];
                p.pack(got, 0, k0, kc, j0, nr);
                for (int kk = 0; kk < kc; kk++)
                    for (int jj = 0; jj < nr; jj++)
                        want[kk * Gemm.NR + jj] = b[(k0 + kk) * N + j0 + jj];
                assertArrayEquals(want, got, K + "x" + N + " pack " + java.util.Arrays.toString(q));
            }
        }
    }
}
