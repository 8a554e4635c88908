package org.cladec.engine.kernels.simd;

import static org.cladec.engine.kernels.simd.Simd.F;
import static org.cladec.engine.kernels.simd.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.cladec.engine.kernels.ElementwiseKernels;
import org.cladec.engine.kernels.ScalarElementwiseKernels;

/**
 * Vector API versions of the element-wise kernels on the training path (activations, their
 * gradients, bias and per-channel sums, axpy); the strided broadcasting kernels stay scalar. Each
 * loop runs vectors up to {@code loopBound} and finishes with a scalar tail.
 */
public final class SimdElementwiseKernels implements ElementwiseKernels {
    private final ScalarElementwiseKernels scalar = new ScalarElementwiseKernels();

    @Override
    public void binary(
            Binary op,
            float[] out,
            float[] a,
            int aOff,
            int[] aStrides,
            float[] b,
            int bOff,
            int[] bStrides,
            int[] shape) {
        scalar.binary(op, out, a, aOff, aStrides, b, bOff, bStrides, shape);
    }

    @Override
    public void reduceAcc(float[] dst, int[] dstStrides, float[] src, int[] shape) {
        scalar.reduceAcc(dst, dstStrides, src, shape);
    }

    @Override
    public void scale(float[] out, float[] a, float s, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L)
            FloatVector.fromArray(F, a, i).mul(s).intoArray(out, i);
        for (; i < n; i++) out[i] = a[i] * s;
    }

    @Override
    public void axpy(float[] y, float alpha, float[] x, int n) {
        // in blocks: called a few times per step, one long call would stay in early JIT code
        for (int start = 0; start < n; start += Simd.BLOCK)
            axpyPart(y, alpha, x, start, Math.min(n, start + Simd.BLOCK));
    }

    private static void axpyPart(float[] y, float alpha, float[] x, int lo, int hi) {
        int i = lo;
        FloatVector av = FloatVector.broadcast(F, alpha);
        for (int bound = lo + F.loopBound(hi - lo); i < bound; i += L) {
            FloatVector.fromArray(F, x, i).fma(av, FloatVector.fromArray(F, y, i)).intoArray(y, i);
        }
        for (; i < hi; i++) y[i] += alpha * x[i];
    }

    @Override
    public double sum(float[] x, int n) {
        // float vector partial sums over blocks, accumulated in double: keeps long sums
        // accurate
        double s = 0;
        for (int start = 0; start < n; start += Simd.BLOCK)
            s += SimdConvKernels.sum(x, start, Math.min(Simd.BLOCK, n - start));
        return s;
    }

    @Override
    public void channelSumAcc(float[] db, float[] x, int N, int C, int HW, int cLo, int cHi) {
        for (int c = cLo; c < cHi; c++) {
            double s = 0;
            for (int n = 0; n < N; n++) s += SimdConvKernels.sum(x, (n * C + c) * HW, HW);
            db[c] += (float) s;
        }
    }

    @Override
    public void channelAdd(float[] x, float[] b, int N, int C, int HW, int nLo, int nHi) {
        if (HW == 1) {
            for (int n = nLo; n < nHi; n++) SimdConvKernels.add(x, n * C, b, 0, C);
            return;
        }
        for (int n = nLo; n < nHi; n++)
            for (int c = 0; c < C; c++) SimdConvKernels.addScalar(x, (n * C + c) * HW, b[c], HW);
    }

    @Override
    public void relu(float[] out, float[] x, int lo, int hi) {
        int i = lo;
        for (int bound = lo + F.loopBound(hi - lo); i < bound; i += L) {
            // MAX has Math.max's semantics: NaN kept (as PyTorch's relu), -0 becomes +0, as the
            // scalar loop below. NOTE: the former blend on "v > 0 or NaN" ran as the Vector API's
            // unintrinsified fallback on JDK 17 in the fused batch norm (SimdNormKernels.relu)
            FloatVector.fromArray(F, x, i).max(0f).intoArray(out, i);
        }
        for (; i < hi; i++) out[i] = ScalarElementwiseKernels.relu(x[i]);
    }

    @Override
    public void reluBackwardAcc(float[] dx, float[] dOut, float[] out, int lo, int hi) {
        int i = lo;
        for (int bound = lo + F.loopBound(hi - lo); i < bound; i += L) {
            VectorMask<Float> pos =
                    FloatVector.fromArray(F, out, i).compare(VectorOperators.GT, 0f);
            FloatVector d = FloatVector.fromArray(F, dx, i);
            d.add(FloatVector.fromArray(F, dOut, i), pos).intoArray(dx, i);
        }
        for (; i < hi; i++) if (out[i] > 0f) dx[i] += dOut[i];
    }

    @Override
    public void leakyRelu(float[] out, float[] x, float slope, int lo, int hi) {
        int i = lo;
        for (int bound = lo + F.loopBound(hi - lo); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            v.mul(slope).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(out, i);
        }
        for (; i < hi; i++) out[i] = x[i] > 0f ? x[i] : slope * x[i];
    }

    @Override
    public void leakyReluBackwardAcc(
            float[] dx, float[] dOut, float[] x, float slope, int lo, int hi) {
        int i = lo;
        for (int bound = lo + F.loopBound(hi - lo); i < bound; i += L) {
            FloatVector d = FloatVector.fromArray(F, dOut, i);
            FloatVector g =
                    d.mul(slope)
                            .blend(
                                    d,
                                    FloatVector.fromArray(F, x, i).compare(VectorOperators.GT, 0f));
            FloatVector.fromArray(F, dx, i).add(g).intoArray(dx, i);
        }
        for (; i < hi; i++) dx[i] += x[i] > 0f ? dOut[i] : slope * dOut[i];
    }

    @Override
    public void sigmoid(float[] out, float[] x, int lo, int hi) {
        scalar.sigmoid(out, x, lo, hi); // exp: the scalar loop is exact and not on a hot path
    }

    @Override
    public void sigmoidBackwardAcc(float[] dx, float[] dOut, float[] out, int lo, int hi) {
        int i = lo;
        for (int bound = lo + F.loopBound(hi - lo); i < bound; i += L) {
            FloatVector o = FloatVector.fromArray(F, out, i);
            FloatVector g = FloatVector.fromArray(F, dOut, i).mul(o).mul(o.neg().add(1f));
            FloatVector.fromArray(F, dx, i).add(g).intoArray(dx, i);
        }
        for (; i < hi; i++) dx[i] += dOut[i] * out[i] * (1f - out[i]);
    }

    @Override
    public void tanh(float[] out, float[] x, int lo, int hi) {
        scalar.tanh(out, x, lo, hi);
    }

    @Override
    public void tanhBackwardAcc(float[] dx, float[] dOut, float[] out, int lo, int hi) {
        scalar.tanhBackwardAcc(dx, dOut, out, lo, hi);
    }

    @Override
    public void mul(float[] out, float[] x, float[] mask, int lo, int hi) {
        int i = lo;
        for (int bound = lo + F.loopBound(hi - lo); i < bound; i += L) {
            FloatVector.fromArray(F, x, i).mul(FloatVector.fromArray(F, mask, i)).intoArray(out, i);
        }
        for (; i < hi; i++) out[i] = x[i] * mask[i];
    }

    @Override
    public void mulAcc(float[] dx, float[] dOut, float[] mask, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(F, dOut, i)
                    .fma(FloatVector.fromArray(F, mask, i), FloatVector.fromArray(F, dx, i))
                    .intoArray(dx, i);
        }
        for (; i < n; i++) dx[i] += dOut[i] * mask[i];
    }
}
