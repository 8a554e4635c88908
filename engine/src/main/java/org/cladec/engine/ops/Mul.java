package org.cladec.engine.ops;

import org.cladec.engine.autograd.Autograd;
import org.cladec.engine.autograd.Op;
import org.cladec.engine.kernels.ElementwiseKernels.Binary;
import org.cladec.engine.tensor.Tensor;

/** {@code a · b} element-wise with broadcasting; backward needs both inputs. */
final class Mul implements Op {
    private Tensor a, b;

    static Tensor apply(Tensor a, Tensor b) {
        int[] shape = Broadcast.outShape(a, b, "mul");
        Tensor out = Broadcast.apply(Binary.MUL, a, b, shape);
        if (Autograd.needsGrad(a, b)) {
            Mul op = new Mul();
            op.a = a;
            op.b = b;
            Autograd.record(out, op, a, b);
        }
        return out;
    }

    @Override
    public void backward(Tensor dOut, Tensor[] dIn) {
        int[] shape = dOut.shapeRef();
        if (dIn[0] != null)
            Broadcast.reduceInto(dIn[0], Broadcast.apply(Binary.MUL, dOut, b, shape));
        if (dIn[1] != null)
            Broadcast.reduceInto(dIn[1], Broadcast.apply(Binary.MUL, dOut, a, shape));
        a = b = null;
    }
}
