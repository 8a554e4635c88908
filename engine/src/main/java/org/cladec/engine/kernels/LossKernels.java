package org.cladec.engine.kernels;

/** Loss kernels. Forward methods return sums (in double); the ops divide for the mean. */
public interface LossKernels {
    /**
     * Softmax cross-entropy from logits (N, K) and labels in [0, K): stores the softmax in probs
     * (N, K) and returns {@code Σ_n (logsumexp(logits[n]) − logits[n, labels[n]])}, using the
     * max-shift so that large logits do not overflow.
     */
    double softmaxCrossEntropy(float[] probs, float[] logits, int[] labels, int N, int K);

    /** {@code dLogits += scale · (probs − onehot(labels))}. */
    void softmaxCrossEntropyBackwardAcc(
            float[] dLogits, float[] probs, int[] labels, float scale, int N, int K);

    /** {@code Σ (a − b)²}. */
    double squaredError(float[] a, float[] b, int n);

    /** {@code da += scale · 2(a − b)} and {@code db −= scale · 2(a − b)}; either may be null. */
    void squaredErrorBackwardAcc(float[] da, float[] db, float[] a, float[] b, float scale, int n);

    /**
     * Binary cross-entropy of probabilities p against targets t: {@code −Σ (t·log p + (1 − t)·log(1
     * − p))} with each log clamped at −100, as PyTorch does, so p = 0 or 1 gives a finite loss.
     */
    double binaryCrossEntropy(float[] p, float[] t, int n);

    /** {@code dp += scale · (p − t) / max(p·(1 − p), 1e−12)} (PyTorch's formula). */
    void binaryCrossEntropyBackwardAcc(float[] dp, float[] p, float[] t, float scale, int n);
}
