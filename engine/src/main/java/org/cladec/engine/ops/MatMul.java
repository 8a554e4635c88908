package org.cladec.engine.ops;

import org.cladec.engine.autograd.Autograd;
import org.cladec.engine.autograd.Op;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.parallel.Parallel;
import org.cladec.engine.tensor.Checks;
import org.cladec.engine.tensor.Shape;
import org.cladec.engine.tensor.Tensor;

/** {@code a (M, K) · b (K, N)}. Backward: dA += dOut·bᵀ, dB += aᵀ·dOut. */
final class MatMul implements Op {
    private Tensor a, b;

    static Tensor apply(Tensor a, Tensor b) {
        Checks.rank(a, 2, "matmul", "left operand");
        Checks.rank(b, 2, "matmul", "right operand");
        if (a.shape(1) != b.shape(0)) {
            throw new IllegalArgumentException(
                    "matmul: inner dimensions differ: "
                            + Shape.str(a.shapeRef())
                            + " · "
                            + Shape.str(b.shapeRef()));
        }
        Tensor ad = a.dense(), bd = b.dense();
        int M = a.shape(0), K = a.shape(1), N = b.shape(1);
        Tensor out = Tensor.empty(M, N);
        Parallel.forRange(
                M,
                16,
                (lo, hi) ->
                        Kernels.gemm()
                                .gemm(
                                        out.data(),
                                        0,
                                        ad.data(),
                                        0,
                                        bd.data(),
                                        0,
                                        M,
                                        N,
                                        K,
                                        false,
                                        false,
                                        false,
                                        lo,
                                        hi));
        if (Autograd.needsGrad(a, b)) {
            MatMul op = new MatMul();
            op.a = ad;
            op.b = bd;
            Autograd.record(out, op, a, b);
        }
        return out;
    }

    @Override
    public void backward(Tensor dOut, Tensor[] dIn) {
        int M = a.shape(0), K = a.shape(1), N = b.shape(1);
        float[] g = dOut.data();
        if (dIn[0] != null) {
            float[] da = dIn[0].data(), bd = b.data();
            Parallel.forRange(
                    M,
                    16,
                    (lo, hi) ->
                            Kernels.gemm()
                                    .gemm(da, 0, g, 0, bd, 0, M, K, N, false, true, true, lo, hi));
        }
        if (dIn[1] != null) {
            float[] db = dIn[1].data(), ad = a.data();
            Parallel.forRange(
                    K,
                    16,
                    (lo, hi) ->
                            Kernels.gemm()
                                    .gemm(db, 0, ad, 0, g, 0, K, N, M, true, false, true, lo, hi));
        }
        a = b = null;
    }
}
