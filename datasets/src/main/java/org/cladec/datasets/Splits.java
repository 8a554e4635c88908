package org.cladec.datasets;

/**
 * A dataset's training and test parts, and where they came from.
 *
 * @param train the training images
 * @param test the held-out images
 * @param source how the data was found, for the user: e.g. {@code --data /x (Fashion-MNIST IDX)}
 */
public record Splits(ImageDataset train, ImageDataset test, String source) {}
