package org.cladec.engine.ops;

import org.cladec.engine.autograd.Autograd;
import org.cladec.engine.autograd.Op;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.parallel.Parallel;
import org.cladec.engine.tensor.Shape;
import org.cladec.engine.tensor.Tensor;

/**
 * {@code y = x·wᵀ + b} for x (N, IN), w (OUT, IN), b (OUT) or null, as {@code
 * torch.nn.functional.linear}. Backward: dx += dy·w, dw += dyᵀ·x, db += Σ_n dy.
 */
final class Linear implements Op {
    private Tensor x, w;

    static Tensor apply(Tensor x, Tensor w, Tensor b) {
        if (x.dim() != 2 || w.dim() != 2 || x.shape(1) != w.shape(1)) {
            throw new IllegalArgumentException(
                    "linear: expected input (N, IN) and weight (OUT, IN), but got input "
                            + Shape.str(x.shapeRef())
                            + " and weight "
                            + Shape.str(w.shapeRef()));
        }
        int N = x.shape(0), IN = x.shape(1), OUT = w.shape(0);
        if (b != null && (b.dim() != 1 || b.shape(0) != OUT)) {
            throw new IllegalArgumentException(
                    "linear: expected bias (" + OUT + ",), but got " + Shape.str(b.shapeRef()));
        }
        Tensor xd = x.dense(), wd = w.dense(), bd = b == null ? null : b.dense();
        Tensor out = Tensor.empty(N, OUT);
        Parallel.forRange(
                N,
                8,
                (lo, hi) -> {
                    Kernels.gemm()
                            .gemm(
                                    out.data(),
                                    0,
                                    xd.data(),
                                    0,
                                    wd.data(),
                                    0,
                                    N,
                                    OUT,
                                    IN,
                                    false,
                                    true,
                                    false,
                                    lo,
                                    hi);
                    if (bd != null)
                        Kernels.ew().channelAdd(out.data(), bd.data(), N, OUT, 1, lo, hi);
                });
        if (Autograd.needsGrad(x, w, b)) {
            Linear op = new Linear();
            op.x = xd;
            op.w = wd;
            Autograd.record(out, op, x, w, b);
        }
        return out;
    }

    @Override
    public void backward(Tensor dOut, Tensor[] dIn) {
        int N = x.shape(0), IN = x.shape(1), OUT = w.shape(0);
        float[] dy = dOut.data(), xd = x.data(), wd = w.data();
        if (dIn[0] != null) {
            float[] dx = dIn[0].data();
            Parallel.forRange(
                    N,
                    8,
                    (lo, hi) ->
                            Kernels.gemm()
                                    .gemm(
                                            dx, 0, dy, 0, wd, 0, N, IN, OUT, false, false, true, lo,
                                            hi));
        }
        float[] dw = dIn[1] == null ? null : dIn[1].data(),
                db = dIn[2] == null ? null : dIn[2].data();
        if (dw != null || db != null) {
            Parallel.forRange(
                    OUT,
                    8,
                    (lo, hi) -> {
                        if (dw != null)
                            Kernels.gemm()
                                    .gemm(
                                            dw, 0, dy, 0, xd, 0, OUT, IN, N, true, false, true, lo,
                                            hi);
                        if (db != null) Kernels.ew().channelSumAcc(db, dy, N, OUT, 1, lo, hi);
                    });
        }
        x = w = null;
    }
}
