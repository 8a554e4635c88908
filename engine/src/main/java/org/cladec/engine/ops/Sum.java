package org.cladec.engine.ops;

import org.cladec.engine.autograd.Autograd;
import org.cladec.engine.autograd.Op;
import org.cladec.engine.kernels.ElementwiseKernels.Binary;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.tensor.Tensor;

/** The sum (or, with scale 1/n, the mean) of all elements, as a rank-0 tensor. */
final class Sum implements Op {
    private final float scale;

    private Sum(float scale) {
        this.scale = scale;
    }

    static Tensor apply(Tensor x, boolean mean) {
        Tensor xd = x.dense();
        float scale = mean ? 1f / x.size() : 1f;
        Tensor out = Tensor.scalar((float) (Kernels.ew().sum(xd.data(), x.size()) * scale));
        if (Autograd.needsGrad(x)) Autograd.record(out, new Sum(scale), x);
        return out;
    }

    @Override
    public void backward(Tensor dOut, Tensor[] dIn) {
        if (dIn[0] == null) return;
        Tensor d = dIn[0];
        float[] g = {dOut.item() * scale};
        // dx += g, as a broadcast add of a stride-0 scalar onto dx itself.
        Kernels.ew()
                .binary(
                        Binary.ADD,
                        d.data(),
                        d.data(),
                        0,
                        d.strides(),
                        g,
                        0,
                        new int[d.dim()],
                        d.shapeRef());
    }
}
