package org.cladec.method;

import org.cladec.datasets.Augment;

/**
 * How long, in what batches and on what variations of the images one training job runs.
 *
 * @param epochs passes over the training data
 * @param batchSize images per step
 * @param seed seeds the shuffle (and dropout, augmentation) of this job
 * @param augment random changes to each training image ({@link Augment#NONE}: none)
 */
public record Schedule(int epochs, int batchSize, long seed, Augment augment) {
    public Schedule {
        if (epochs < 0)
            throw new IllegalArgumentException("epochs must be >= 0, but got " + epochs);
        if (batchSize <= 0)
            throw new IllegalArgumentException("batch size must be positive, but got " + batchSize);
        if (augment == null) augment = Augment.NONE;
    }

    /** A job on the images as they are. */
    public Schedule(int epochs, int batchSize, long seed) {
        this(epochs, batchSize, seed, Augment.NONE);
    }

    /** This job with {@code a} applied to its training images. */
    public Schedule withAugment(Augment a) {
        return new Schedule(epochs, batchSize, seed, a);
    }
}
