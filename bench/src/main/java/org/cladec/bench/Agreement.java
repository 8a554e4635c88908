package org.cladec.bench;

import org.cladec.engine.kernels.ConvGeom;
import org.cladec.engine.kernels.ConvKernels;

/**
 * Before timing, the paired implementations must agree (OpenJDK's
 * VectorDotBenchmark.checkFunctionsAgree).
 */
final class Agreement {
    private Agreement() {}

    static void check(
            String what,
            ConvGeom g,
            ConvKernels a,
            ConvKernels b,
            float[] x,
            float[] w,
            float[] dOut) {
        ConvGeom small = g.withN(Math.min(g.N, 2)); // a slice keeps the scalar check quick
        int xs = small.xSize(), os = small.outSize();
        float[] o1 = new float[os], o2 = new float[os];
        a.forward(o1, x, w, null, small, false, 0, small.N);
        b.forward(o2, x, w, null, small, false, 0, small.N);
        same(what + " forward", o1, o2);
        float[] d1 = new float[xs], d2 = new float[xs];
        a.backwardInput(d1, dOut, w, small, 0, small.N);
        b.backwardInput(d2, dOut, w, small, 0, small.N);
        same(what + " backwardInput", d1, d2);
        float[] w1 = new float[g.wSize()], w2 = new float[g.wSize()];
        a.backwardWeight(w1, dOut, x, small, 0, small.C);
        b.backwardWeight(w2, dOut, x, small, 0, small.C);
        same(what + " backwardWeight", w1, w2);
    }

    static void same(String what, float[] ref, float[] got) {
        for (int i = 0; i < ref.length; i++) {
            if (!(Math.abs(ref[i] - got[i]) <= 1e-3f + 1e-3f * Math.abs(ref[i]))) {
                throw new IllegalStateException(
                        what
                                + ": implementations disagree at "
                                + i
                                + ": "
                                + ref[i]
                                + " vs "
                                + got[i]);
            }
        }
    }
}
