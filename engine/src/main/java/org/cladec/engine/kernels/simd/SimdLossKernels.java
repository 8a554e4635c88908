package org.cladec.engine.kernels.simd;

import static org.cladec.engine.kernels.simd.Simd.F;
import static org.cladec.engine.kernels.simd.Simd.L;

import jdk.incubator.vector.FloatVector;
import org.cladec.engine.kernels.LossKernels;
import org.cladec.engine.kernels.ScalarLossKernels;

/**
 * Vectorised squared error (the reconstruction loss runs over whole image batches); the softmax and
 * binary cross-entropies stay scalar (logits are (N, 10); logs need care at 0 and 1).
 */
public final class SimdLossKernels implements LossKernels {
    private final ScalarLossKernels scalar = new ScalarLossKernels();

    @Override
    public double softmaxCrossEntropy(float[] probs, float[] logits, int[] labels, int N, int K) {
        return scalar.softmaxCrossEntropy(probs, logits, labels, N, K);
    }

    @Override
    public void softmaxCrossEntropyBackwardAcc(
            float[] dLogits, float[] probs, int[] labels, float scale, int N, int K) {
        scalar.softmaxCrossEntropyBackwardAcc(dLogits, probs, labels, scale, N, K);
    }

    @Override
    public double squaredError(float[] a, float[] b, int n) {
        // float partial sums over blocks, accumulated in double; one call per block also
        // gets the block method compiled early (see Parallel.BLOCK)
        double s = 0;
        for (int start = 0; start < n; start += Simd.BLOCK)
            s += squaredErrorPart(a, b, start, Math.min(Simd.BLOCK, n - start));
        return s;
    }

    private static float squaredErrorPart(float[] a, float[] b, int start, int len) {
        int i = 0;
        float part = 0f;
        if (len >= L) {
            FloatVector acc = FloatVector.zero(F);
            for (int bound = F.loopBound(len); i < bound; i += L) {
                FloatVector d =
                        FloatVector.fromArray(F, a, start + i)
                                .sub(FloatVector.fromArray(F, b, start + i));
                acc = d.fma(d, acc);
            }
            part = Simd.sumLanes(acc);
        }
        for (; i < len; i++) {
            float d = a[start + i] - b[start + i];
            part += d * d;
        }
        return part;
    }

    /**
     * In {@link Simd#BLOCK}s: called once per step, a single long call would stay in early JIT
     * code.
     */
    @Override
    public void squaredErrorBackwardAcc(
            float[] da, float[] db, float[] a, float[] b, float scale, int n) {
        float k = 2f * scale;
        for (int start = 0; start < n; start += Simd.BLOCK)
            squaredErrorBackwardPart(da, db, a, b, k, start, Math.min(n, start + Simd.BLOCK));
    }

    private static void squaredErrorBackwardPart(
            float[] da, float[] db, float[] a, float[] b, float k, int lo, int hi) {
        int i = lo;
        for (int bound = lo + F.loopBound(hi - lo); i < bound; i += L) {
            FloatVector d =
                    FloatVector.fromArray(F, a, i).sub(FloatVector.fromArray(F, b, i)).mul(k);
            if (da != null) FloatVector.fromArray(F, da, i).add(d).intoArray(da, i);
            if (db != null) FloatVector.fromArray(F, db, i).sub(d).intoArray(db, i);
        }
        for (; i < hi; i++) {
            float d = k * (a[i] - b[i]);
            if (da != null) da[i] += d;
            if (db != null) db[i] -= d;
        }
    }

    @Override
    public double binaryCrossEntropy(float[] p, float[] t, int n) {
        return scalar.binaryCrossEntropy(p, t, n);
    }

    @Override
    public void binaryCrossEntropyBackwardAcc(
            float[] dp, float[] p, float[] t, float scale, int n) {
        scalar.binaryCrossEntropyBackwardAcc(dp, p, t, scale, n);
    }
}
