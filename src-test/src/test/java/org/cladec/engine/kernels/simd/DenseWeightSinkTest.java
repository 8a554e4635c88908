package org.cladec.engine.kernels.simd;

import static org.cladec.testing.RandomArrays.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cladec.engine.kernels.ConvGeom;
import org.cladec.engine.kernels.ScalarConvKernels;
import org.cladec.engine.tensor.Rng;
import org.junit.jupiter.api.Test;

/**
 * The dense form's weight gradient added tile by tile ({@code DenseConv.WeightSink}) against the
 * written-out product it replaces: the same sums in the same order, so bit for bit the same, and
 * the same whatever the input channels' split (results independent of the thread count). The
 * geometries have channel parts that start mid-panel and panels that end past the last channel.
 */
class DenseWeightSinkTest {
    private static final SimdConvKernels SIMD = new SimdConvKernels();

    /** 2×2 planes at stride 1 and 2, 1×1 → 2×2 (a decoder's first layer), a 4×1 input. */
    private static final ConvGeom[] SINK = {
        ConvGeom.conv(5, 29, 2, 2, 13, 3, 3, 1, 1, 1, 1),
        ConvGeom.conv(7, 37, 2, 2, 11, 3, 3, 2, 2, 1, 1),
        ConvGeom.transposed(3, 31, 1, 1, 6, 4, 4, 2, 2, 1, 1, 0, 0),
        ConvGeom.conv(2, 23, 4, 1, 5, 5, 5, 1, 1, 2, 2),
    };

    @Test
    void theSinkAddsWhatTheWrittenOutProductAdds() {
        Rng r = new Rng(11);
        Gemm.Scratch s = new Gemm.Scratch();
        for (ConvGeom g : SINK) {
            assertTrue(DenseConv.applies(g) && DenseConv.WeightSink.applies(g), g.toString());
            float[] d = uniform(r, g.outSize()),
                    x = uniform(r, g.xSize()),
                    init = uniform(r, g.wSize());
            float[] sunk = init.clone(), written = init.clone();
            DenseConv.backwardWeight(sunk, d, x, g, 0, g.C, s);
            DenseConv.writtenOut(written, d, s.rowMajor.set(x, 0, g.C * g.H * g.W), g, 0, g.C, s);
            assertArrayEquals(written, sunk, g.toString());
            float[] ref = init.clone();
            new ScalarConvKernels().backwardWeight(ref, d, x, g, 0, g.C);
            for (int i = 0; i < ref.length; i++)
                assertEquals(ref[i], sunk[i], 1e-4 * (1 + Math.abs(ref[i])), g + " dw[" + i + "]");
        }
    }

    @Test
    void theSinkDoesNotDependOnTheSplit() {
        Rng r = new Rng(12);
        for (ConvGeom g : SINK) {
            float[] d = uniform(r, g.outSize()),
                    x = uniform(r, g.xSize()),
                    init = uniform(r, g.wSize());
            float[] whole = init.clone();
            SIMD.backwardWeight(whole, d, x, g, 0, g.C);
            for (int[] cuts :
                    new int[][] {
                        {0, 1, g.C}, {0, g.C / 3, 2 * g.C / 3 + 1, g.C}, {0, g.C - 1, g.C}
                    }) {
                float[] parts = init.clone();
                for (int i = 0; i + 1 < cuts.length; i++)
                    SIMD.backwardWeight(parts, d, x, g, cuts[i], cuts[i + 1]);
                assertArrayEquals(whole, parts, g + " cut at " + java.util.Arrays.toString(cuts));
            }
        }
    }
}
