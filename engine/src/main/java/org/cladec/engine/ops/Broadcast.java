package org.cladec.engine.ops;

import org.cladec.engine.kernels.ElementwiseKernels.Binary;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.tensor.Shape;
import org.cladec.engine.tensor.Tensor;

/** Shape and stride arithmetic shared by the broadcasting binary ops. */
final class Broadcast {
    private Broadcast() {}

    static int[] outShape(Tensor a, Tensor b, String op) {
        int[] s = Shape.broadcast(a.shapeRef(), b.shapeRef());
        if (s == null) {
            throw new IllegalArgumentException(
                    op
                            + ": shapes "
                            + Shape.str(a.shapeRef())
                            + " and "
                            + Shape.str(b.shapeRef())
                            + " cannot be broadcast together");
        }
        return s;
    }

    /** The strides of {@code t}'s own layout aligned to {@code out}: 0 where t is broadcast. */
    static int[] strides(Tensor t, int[] out) {
        int[] st = t.strides(), shape = t.shapeRef(), r = new int[out.length];
        int lead = out.length - shape.length;
        for (int i = 0; i < shape.length; i++)
            r[lead + i] = shape[i] == 1 && out[lead + i] != 1 ? 0 : st[i];
        return r;
    }

    /**
     * Row-major strides of a dense buffer of {@code shape}, aligned to {@code out}: 0 where
     * broadcast.
     */
    static int[] denseStrides(int[] shape, int[] out) {
        int[] st = Shape.rowMajorStrides(shape), r = new int[out.length];
        int lead = out.length - shape.length;
        for (int i = 0; i < shape.length; i++)
            r[lead + i] = shape[i] == 1 && out[lead + i] != 1 ? 0 : st[i];
        return r;
    }

    /** {@code out = a op b} with broadcasting. */
    static Tensor apply(Binary op, Tensor a, Tensor b, int[] outShape) {
        Tensor out = Tensor.empty(outShape);
        Kernels.ew()
                .binary(
                        op,
                        out.data(),
                        a.data(),
                        a.offset(),
                        strides(a, outShape),
                        b.data(),
                        b.offset(),
                        strides(b, outShape),
                        outShape);
        return out;
    }

    /**
     * {@code dIn += src} summed over the dimensions in which dIn's tensor was broadcast to src's
     * shape.
     */
    static void reduceInto(Tensor dIn, Tensor src) {
        int[] out = src.shapeRef();
        Kernels.ew().reduceAcc(dIn.data(), denseStrides(dIn.shapeRef(), out), src.data(), out);
    }
}
