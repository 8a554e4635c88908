package org.cladec.engine.ops;

import org.cladec.engine.autograd.Autograd;
import org.cladec.engine.autograd.Op;
import org.cladec.engine.kernels.ElementwiseKernels.Binary;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.tensor.Tensor;

/** {@code a − b} with broadcasting. */
final class Sub implements Op {
    static Tensor apply(Tensor a, Tensor b) {
        Tensor out = Broadcast.apply(Binary.SUB, a, b, Broadcast.outShape(a, b, "sub"));
        if (Autograd.needsGrad(a, b)) Autograd.record(out, new Sub(), a, b);
        return out;
    }

    @Override
    public void backward(Tensor dOut, Tensor[] dIn) {
        if (dIn[0] != null) Broadcast.reduceInto(dIn[0], dOut);
        if (dIn[1] != null) {
            Tensor neg = Tensor.empty(dOut.shapeRef());
            Kernels.ew().scale(neg.data(), dOut.data(), -1f, dOut.size());
            Broadcast.reduceInto(dIn[1], neg);
        }
    }
}
