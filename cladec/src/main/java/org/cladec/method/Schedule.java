package org.cladec.method;

/**
 * How long and in what batches one training job runs.
 *
 * @param epochs passes over the training data
 * @param batchSize images per step
 * @param seed seeds the shuffle (and dropout, augmentation) of this job
 */
public record Schedule(int epochs, int batchSize, long seed) {
    public Schedule {
        if (epochs < 0)
            throw new IllegalArgumentException("epochs must be >= 0, but got " + epochs);
        if (batchSize <= 0)
            throw new IllegalArgumentException("batch size must be positive, but got " + batchSize);
    }
}
