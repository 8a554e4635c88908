package org.cladec.engine.kernels;

/** Reference loss kernels. */
public final class ScalarLossKernels implements LossKernels {

    @Override
    public double softmaxCrossEntropy(float[] probs, float[] logits, int[] labels, int N, int K) {
        double loss = 0;
        for (int n = 0; n < N; n++) {
            int row = n * K;
            float max = Float.NEGATIVE_INFINITY;
            for (int k = 0; k < K; k++) max = Math.max(max, logits[row + k]);
            double sum = 0;
            for (int k = 0; k < K; k++) {
                double e = StrictMath.exp(logits[row + k] - max);
                probs[row + k] = (float) e;
                sum += e;
            }
            for (int k = 0; k < K; k++) probs[row + k] = (float) (probs[row + k] / sum);
            loss += StrictMath.log(sum) + max - logits[row + labels[n]];
        }
        return loss;
    }

    @Override
    public void softmaxCrossEntropyBackwardAcc(
            float[] dLogits, float[] probs, int[] labels, float scale, int N, int K) {
        for (int n = 0; n < N; n++) {
            int row = n * K;
            for (int k = 0; k < K; k++) dLogits[row + k] += scale * probs[row + k];
            dLogits[row + labels[n]] -= scale;
        }
    }

    @Override
    public double squaredError(float[] a, float[] b, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            double d = (double) a[i] - b[i];
            s += d * d;
        }
        return s;
    }

    @Override
    public void squaredErrorBackwardAcc(
            float[] da, float[] db, float[] a, float[] b, float scale, int n) {
        float k = 2f * scale;
        for (int i = 0; i < n; i++) {
            float d = k * (a[i] - b[i]);
            if (da != null) da[i] += d;
            if (db != null) db[i] -= d;
        }
    }

    @Override
    public double binaryCrossEntropy(float[] p, float[] t, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            double logP = Math.max(StrictMath.log(p[i]), -100.0);
            double log1mP = Math.max(StrictMath.log(1.0 - p[i]), -100.0);
            s -= t[i] * logP + (1.0 - t[i]) * log1mP;
        }
        return s;
    }

    @Override
    public void binaryCrossEntropyBackwardAcc(
            float[] dp, float[] p, float[] t, float scale, int n) {
        for (int i = 0; i < n; i++) {
            dp[i] += (float) (scale * (p[i] - t[i]) / Math.max((1.0 - p[i]) * p[i], 1e-12));
        }
    }
}
