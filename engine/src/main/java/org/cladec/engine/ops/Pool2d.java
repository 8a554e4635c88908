package org.cladec.engine.ops;

import org.cladec.engine.autograd.Autograd;
import org.cladec.engine.autograd.Op;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.kernels.PoolGeom;
import org.cladec.engine.parallel.Parallel;
import org.cladec.engine.tensor.Shape;
import org.cladec.engine.tensor.Tensor;
import org.cladec.engine.tensor.Workspace;

/**
 * Max and average pooling over x (N, C, H, W), as {@code max_pool2d} and {@code avg_pool2d}
 * (count_include_pad) without ceil mode or dilation. Max pooling saves its argmax; average saves
 * nothing.
 */
final class Pool2d implements Op {
    private final boolean max;
    private final PoolGeom g;
    private int[] argmax;

    private Pool2d(boolean max, PoolGeom g) {
        this.max = max;
        this.g = g;
    }

    static Tensor apply(Tensor x, boolean max, int kh, int kw, int sh, int sw, int ph, int pw) {
        String name = max ? "max_pool2d" : "avg_pool2d";
        if (x.dim() != 4)
            throw new IllegalArgumentException(
                    name + ": expected input (N, C, H, W), but got " + Shape.str(x.shapeRef()));
        PoolGeom g;
        try {
            g =
                    new PoolGeom(
                            x.shape(0), x.shape(1), x.shape(2), x.shape(3), kh, kw, sh, sw, ph, pw);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    name + ": " + e.getMessage() + " (input " + Shape.str(x.shapeRef()) + ")", e);
        }
        Tensor xd = x.dense();
        Tensor out = Tensor.empty(g.N, g.C, g.OH, g.OW);
        Pool2d op = new Pool2d(max, g);
        if (max) {
            int[] argmax = Workspace.ints(out.size());
            Parallel.forRange(
                    g.planes(),
                    (lo, hi) ->
                            Kernels.pool().maxForward(out.data(), argmax, xd.data(), g, lo, hi));
            op.argmax = argmax;
        } else {
            Parallel.forRange(
                    g.planes(),
                    (lo, hi) -> Kernels.pool().avgForward(out.data(), xd.data(), g, lo, hi));
        }
        if (Autograd.needsGrad(x)) Autograd.record(out, op, x);
        return out;
    }

    @Override
    public void backward(Tensor dOut, Tensor[] dIn) {
        if (dIn[0] == null) return;
        float[] dx = dIn[0].data(), d = dOut.data();
        if (max)
            Parallel.forRange(
                    g.planes(),
                    (lo, hi) -> Kernels.pool().maxBackwardAcc(dx, d, argmax, g, lo, hi));
        else
            Parallel.forRange(
                    g.planes(), (lo, hi) -> Kernels.pool().avgBackwardAcc(dx, d, g, lo, hi));
        argmax = null;
    }
}
