package org.cladec.engine.ops;

import java.util.Arrays;
import org.cladec.engine.autograd.Autograd;
import org.cladec.engine.autograd.Op;
import org.cladec.engine.kernels.ConvGeom;
import org.cladec.engine.kernels.ConvKernels;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.parallel.Parallel;
import org.cladec.engine.tensor.Shape;
import org.cladec.engine.tensor.Tensor;

/**
 * 2-d transposed convolution, as {@code torch.nn.functional.conv_transpose2d} without groups or
 * dilation: x (N, Cin, H, W), w (Cin, Cout, KH, KW), b (Cout) or null, output (N, Cout, OH, OW)
 * with {@code OH = (H − 1)·SH − 2·PH + KH + outPadH}.
 *
 * <p>It is the input gradient of the convolution {@link ConvGeom#transposed} describes, so it
 * reuses the convolution kernels and never inserts zeros: forward is conv's backwardInput, the
 * input gradient is conv's forward, and the weight gradient is conv's backwardWeight with x and
 * dOut exchanged.
 */
final class ConvTranspose2d implements Op {
    private Tensor x, w;
    private ConvGeom g;

    static Tensor apply(
            Tensor x, Tensor w, Tensor b, int sh, int sw, int ph, int pw, int oph, int opw) {
        String shapes = "input " + Shape.str(x.shapeRef()) + ", weight " + Shape.str(w.shapeRef());
        if (x.dim() != 4 || w.dim() != 4) {
            throw new IllegalArgumentException(
                    "conv_transpose2d: expected 4-d input and weight, but got " + shapes);
        }
        if (x.shape(1) != w.shape(0)) {
            throw new IllegalArgumentException(
                    "conv_transpose2d: input has "
                            + x.shape(1)
                            + " channels but the weight expects "
                            + w.shape(0)
                            + " (weight is (Cin, Cout, KH, KW)): "
                            + shapes);
        }
        if (b != null && (b.dim() != 1 || b.shape(0) != w.shape(1))) {
            throw new IllegalArgumentException(
                    "conv_transpose2d: expected bias ("
                            + w.shape(1)
                            + ",), but got "
                            + Shape.str(b.shapeRef()));
        }
        if (oph < 0 || opw < 0 || (oph >= sh && oph > 0) || (opw >= sw && opw > 0)) {
            throw new IllegalArgumentException(
                    "conv_transpose2d: output padding "
                            + oph
                            + "x"
                            + opw
                            + " must be smaller than the stride "
                            + sh
                            + "x"
                            + sw);
        }
        ConvGeom g =
                ConvGeom.transposed(
                        x.shape(0),
                        x.shape(1),
                        x.shape(2),
                        x.shape(3),
                        w.shape(1),
                        w.shape(2),
                        w.shape(3),
                        sh,
                        sw,
                        ph,
                        pw,
                        oph,
                        opw);
        Tensor xd = x.dense(), wd = w.dense();
        float[] bd = b == null ? null : b.dense().data();
        Tensor out = Tensor.empty(g.N, g.C, g.H, g.W);
        ConvKernels k = Kernels.conv();
        float[] o = out.data(), xa = xd.data(), wa = wd.data();
        // the output starts as the bias and the convolution's input gradient is added into it
        if (k.splitsByChannels(g)) {
            Parallel.forRange(
                    g.C,
                    (lo, hi) -> {
                        startWithBias(o, bd, g, 0, g.N, lo, hi);
                        k.backwardInputChannels(o, xa, wa, g, lo, hi);
                    });
        } else {
            float[] a = Conv2d.shared(k, ConvKernels.Shared.INPUT_GRADIENT_WEIGHTS, wa, g);
            Conv2d.overImages(
                    k,
                    g,
                    (lo, hi) -> {
                        startWithBias(o, bd, g, lo, hi, 0, g.C);
                        if (a != null) k.backwardInputShared(o, xa, a, g, lo, hi);
                        else k.backwardInput(o, xa, wa, g, lo, hi);
                    });
        }
        if (Autograd.needsGrad(x, w, b)) {
            ConvTranspose2d op = new ConvTranspose2d();
            op.x = xd;
            op.w = wd;
            op.g = g;
            Autograd.record(out, op, x, w, b);
        }
        return out;
    }

    @Override
    public void backward(Tensor dOut, Tensor[] dIn) {
        float[] d = dOut.data(), xd = x.data(), wd = w.data();
        ConvGeom g = this.g;
        if (dIn[0] != null) Conv2d.forward(dIn[0].data(), d, wd, null, g, true);
        if (dIn[1] != null) Conv2d.weightGradient(dIn[1].data(), xd, d, g);
        if (dIn[2] != null) {
            float[] db = dIn[2].data();
            Parallel.forRange(
                    g.C,
                    (lo, hi) -> Kernels.ew().channelSumAcc(db, d, g.N, g.C, g.H * g.W, lo, hi));
        }
        x = w = null;
    }

    /**
     * {@code out[n, c, ·] = b[c]} (or 0 without a bias) for images [nLo, nHi), channels [cLo, cHi).
     */
    private static void startWithBias(
            float[] out, float[] b, ConvGeom g, int nLo, int nHi, int cLo, int cHi) {
        int HW = g.H * g.W;
        for (int n = nLo; n < nHi; n++)
            for (int c = cLo; c < cHi; c++) {
                int off = (n * g.C + c) * HW;
                Arrays.fill(out, off, off + HW, b == null ? 0f : b[c]);
            }
    }
}
