package org.cladec.engine.ops;

import org.cladec.engine.autograd.Autograd;
import org.cladec.engine.autograd.Op;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.tensor.Tensor;

/** A differentiable reshape: a view when x is dense; the gradient is dOut in the input's shape. */
final class Reshape implements Op {
    static Tensor apply(Tensor x, int... shape) {
        Tensor out = x.detach().reshape(shape); // detach: the view itself records nothing
        if (Autograd.needsGrad(x)) Autograd.record(out, new Reshape(), x);
        return out;
    }

    @Override
    public void backward(Tensor dOut, Tensor[] dIn) {
        if (dIn[0] != null) Kernels.ew().axpy(dIn[0].data(), 1f, dOut.data(), dOut.size());
    }
}
