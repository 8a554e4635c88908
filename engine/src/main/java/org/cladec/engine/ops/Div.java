package org.cladec.engine.ops;

import org.cladec.engine.autograd.Autograd;
import org.cladec.engine.autograd.Op;
import org.cladec.engine.kernels.ElementwiseKernels.Binary;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.tensor.Tensor;

/** {@code a / b} element-wise with broadcasting: d/da = 1/b, d/db = −a/b² = −out/b. */
final class Div implements Op {
    private Tensor b, out;

    static Tensor apply(Tensor a, Tensor b) {
        Tensor out = Broadcast.apply(Binary.DIV, a, b, Broadcast.outShape(a, b, "div"));
        if (Autograd.needsGrad(a, b)) {
            Div op = new Div();
            op.b = b;
            op.out = out;
            Autograd.record(out, op, a, b);
        }
        return out;
    }

    @Override
    public void backward(Tensor dOut, Tensor[] dIn) {
        int[] shape = dOut.shapeRef();
        Tensor dOverB = Broadcast.apply(Binary.DIV, dOut, b, shape);
        if (dIn[0] != null) Broadcast.reduceInto(dIn[0], dOverB);
        if (dIn[1] != null) {
            Tensor t = Broadcast.apply(Binary.MUL, dOverB, out, shape);
            Kernels.ew().scale(t.data(), t.data(), -1f, t.size());
            Broadcast.reduceInto(dIn[1], t);
        }
        b = out = null;
    }
}
