package org.cladec.engine.kernels.simd;

import static org.cladec.testing.Close.assertClose;
import static org.cladec.testing.RandomArrays.uniform;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import org.cladec.engine.kernels.ConvGeom;
import org.cladec.engine.kernels.ScalarConvKernels;
import org.cladec.engine.tensor.Rng;
import org.junit.jupiter.api.Test;

/**
 * The input gradient by phase planes ({@code ConvPacks.PhaseSink}): GEMM's tiles added at their
 * taps' shifts onto phase planes, which are then zipped into dx. Against the plain-Java kernel on
 * every geometry the sink takes at this vector width: 3 × 3 and 4 × 4 windows (the latter a
 * decoder's transposed convolution), batches whose last chunk is partial, image ranges that start
 * mid-batch, and dx that already holds values (the kernel adds).
 */
class PhaseSinkTest {
    private static List<ConvGeom> geometries() {
        List<ConvGeom> out = new ArrayList<>();
        for (int hw : new int[] {8, 12, 16, 20, 24, 32})
            for (int k = 3; k <= 4; k++)
                for (int n : new int[] {1, 13}) {
                    ConvGeom g = ConvGeom.conv(n, 3, hw, hw, 5, k, k, 2, 2, 1, 1);
                    if (ConvPacks.PhaseSink.applies(g)) out.add(g);
                }
        return out;
    }

    @Test
    void matchesThePlainKernel() {
        List<ConvGeom> gs = geometries();
        assertFalse(gs.isEmpty(), "no geometry takes the phase sink at " + Simd.L + " lanes");
        Rng r = new Rng(11);
        ScalarConvKernels plain = new ScalarConvKernels();
        SimdConvKernels simd = new SimdConvKernels();
        for (ConvGeom g : gs) {
            float[] d = uniform(r, g.outSize()), w = uniform(r, g.wSize());
            float[] init = uniform(r, g.xSize());
            float[] want = init.clone(), got = init.clone();
            plain.backwardInput(want, d, w, g, 0, g.N);
            int mid = g.N / 2;
            simd.backwardInput(got, d, w, g, 0, mid);
            simd.backwardInput(got, d, w, g, mid, g.N);
            assertClose(want, got, 1e-5, 1e-4, "backwardInput " + g);
        }
    }
}
