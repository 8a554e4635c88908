package org.cladec.engine.ops;

import org.cladec.engine.autograd.Autograd;
import org.cladec.engine.autograd.Op;
import org.cladec.engine.kernels.ElementwiseKernels.Binary;
import org.cladec.engine.tensor.Tensor;

/** {@code a + b} with broadcasting. Backward sums dOut over each input's broadcast dimensions. */
final class Add implements Op {
    static Tensor apply(Tensor a, Tensor b) {
        Tensor out = Broadcast.apply(Binary.ADD, a, b, Broadcast.outShape(a, b, "add"));
        if (Autograd.needsGrad(a, b)) Autograd.record(out, new Add(), a, b);
        return out;
    }

    @Override
    public void backward(Tensor dOut, Tensor[] dIn) {
        if (dIn[0] != null) Broadcast.reduceInto(dIn[0], dOut);
        if (dIn[1] != null) Broadcast.reduceInto(dIn[1], dOut);
    }
}
