package org.cladec.engine.kernels.simd;

import java.util.Arrays;
import org.cladec.engine.kernels.ConvGeom;

/**
 * Something derived from a part of a convolution's weights, kept between calls with weights that do
 * not change (inference, a frozen network), with a copy of the weights it came from. Before each
 * use the part's weights are compared with the copy (a sequential read) and the derived form is
 * made again where any differs, so writes to the weights through any route are seen. The part is
 * output channels [lo, hi) (rows of w, one run) or input channels [lo, hi) (a run in each of the OC
 * rows). Each thread holds its own in {@link Gemm.Scratch#kept}, under one memory bound.
 *
 * <p>Two forms: the dense form's packed Dᵀ or D ({@link DenseConv.Kept}) and the pixel products'
 * rearranged weights ({@link PixelProducts.Kept}).
 */
abstract class KeptWeights {
    private float[] source; // the weights' array, by identity
    ConvGeom g; // its batch size aside
    int lo, hi;
    boolean rows; // output channels [lo, hi), or input channels
    private float[] copy = new float[0]; // the part's weights, run after run
    private boolean filled;

    /** Whether this holds part [lo, hi) of w in geometry g, current or not. */
    final boolean holds(float[] w, ConvGeom g, int lo, int hi, boolean rows) {
        return source == w
                && lo == this.lo
                && hi == this.hi
                && rows == this.rows
                && g.sameButBatch(this.g);
    }

    /** Takes part [lo, hi) of w in geometry g, to be derived at first use. */
    final KeptWeights reset(float[] w, ConvGeom g, int lo, int hi, boolean rows) {
        this.source = w;
        this.g = g;
        this.lo = lo;
        this.hi = hi;
        this.rows = rows;
        this.filled = false;
        return this;
    }

    /** The part's runs of w: one for rows, one per output channel for input channels. */
    private int runs() {
        return rows ? 1 : g.OC;
    }

    private int run() {
        return (hi - lo) * (rows ? g.C : 1) * g.KH * g.KW;
    }

    /**
     * Whether the part's weights are those the derived form came from; where not (or at first use)
     * they are copied, and the caller derives it again.
     */
    final boolean unchanged(float[] w) {
        final int KK = g.KH * g.KW, CKK = g.C * KK, runs = runs(), run = run();
        final int from = lo * (rows ? CKK : KK);
        if (filled) {
            boolean same = true;
            for (int i = 0; i < runs && same; i++) {
                int f = from + i * CKK;
                same = Arrays.equals(w, f, f + run, copy, i * run, (i + 1) * run);
            }
            if (same) return true;
        }
        filled = true;
        if (copy.length < runs * run) copy = new float[runs * run];
        for (int i = 0; i < runs; i++) System.arraycopy(w, from + i * CKK, copy, i * run, run);
        return false;
    }

    /** Floats this part needs once derived: the derived form and the weights' copy. */
    final long floats() {
        return derivedFloats() + (long) runs() * run();
    }

    /** Floats held. */
    final long size() {
        return copy.length + derivedSize();
    }

    /** Lets go of what is held. */
    final void release() {
        source = null;
        g = null;
        filled = false;
        copy = new float[0];
        releaseDerived();
    }

    /** Floats the derived form of the current part takes. */
    abstract long derivedFloats();

    /** Floats the derived form holds now. */
    abstract long derivedSize();

    abstract void releaseDerived();
}
