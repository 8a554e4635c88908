package org.cladec.datasets;

import org.cladec.engine.tensor.Tensor;

/**
 * One batch from a {@link DataLoader}: images (N, C, H, W) and their labels. The storage is reused:
 * a batch is valid until the loader hands out the batch after next (two buffers alternate so one
 * can be filled in the background while the other is used).
 *
 * @param images (N, C, H, W) floats
 * @param labels N class indices
 * @param indices N positions of these images in the dataset
 */
public record Batch(Tensor images, int[] labels, int[] indices) {
    /** Number of images. */
    public int size() {
        return labels.length;
    }
}
