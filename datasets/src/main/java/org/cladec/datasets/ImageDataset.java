package org.cladec.datasets;

import java.util.Arrays;
import java.util.List;

/**
 * Images with integer labels, held as 8-bit pixels (N, C, H, W) in row-major order: 60,000
 * Fashion-MNIST images take 47 MB instead of 188 MB as floats. Pixels become floats in [0, 1] when
 * a batch is assembled ({@link #imageAsFloats}). Immutable once built.
 */
public final class ImageDataset {
    private final String name;
    private final int n, c, h, w;
    private final byte[] pixels; // (n, c, h, w), unsigned
    private final int[] labels; // (n), in [0, classNames.size())
    private final List<String> classNames;

    /**
     * Wraps {@code pixels} and {@code labels} (not copied). Checks that the sizes agree and every
     * label is a valid class index.
     */
    public ImageDataset(
            String name,
            int n,
            int c,
            int h,
            int w,
            byte[] pixels,
            int[] labels,
            List<String> classNames) {
        if (n < 0 || c <= 0 || h <= 0 || w <= 0)
            throw new IllegalArgumentException(
                    name + ": invalid shape " + n + "x" + c + "x" + h + "x" + w);
        long size = (long) n * c * h * w;
        if (pixels.length != size)
            throw new IllegalArgumentException(
                    name
                            + ": "
                            + pixels.length
                            + " pixel bytes for "
                            + n
                            + " images of "
                            + c
                            + "x"
                            + h
                            + "x"
                            + w);
        if (labels.length != n)
            throw new IllegalArgumentException(
                    name + ": " + labels.length + " labels for " + n + " images");
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= classNames.size()) {
                throw new IllegalArgumentException(
                        name
                                + ": label "
                                + labels[i]
                                + " of image "
                                + i
                                + " is outside [0, "
                                + classNames.size()
                                + ")");
            }
        }
        this.name = name;
        this.n = n;
        this.c = c;
        this.h = h;
        this.w = w;
        this.pixels = pixels;
        this.labels = labels;
        this.classNames = List.copyOf(classNames);
    }

    /** The name used in messages, e.g. "Fashion-MNIST train". */
    public String name() {
        return name;
    }

    /** Number of images. */
    public int size() {
        return n;
    }

    /** Channels per image (1 grey, 3 colour). */
    public int channels() {
        return c;
    }

    /** Image height in pixels. */
    public int height() {
        return h;
    }

    /** Image width in pixels. */
    public int width() {
        return w;
    }

    /** Pixels per image: C·H·W. */
    public int imageSize() {
        return c * h * w;
    }

    /** Number of classes. */
    public int numClasses() {
        return classNames.size();
    }

    /** Class names in label order. */
    public List<String> classNames() {
        return classNames;
    }

    /** The label of image {@code i}. */
    public int label(int i) {
        return labels[i];
    }

    /** A copy of all labels. */
    public int[] labels() {
        return labels.clone();
    }

    /** The pixel array itself (engine-internal fast paths; do not modify). */
    byte[] rawPixels() {
        return pixels;
    }

    /** Pixel {@code p} (0..C·H·W) of image {@code i}, 0..255. */
    public int pixel(int i, int p) {
        return pixels[i * imageSize() + p] & 0xFF;
    }

    /** Writes image {@code i} as floats in [0, 1] into {@code dst[off .. off + C·H·W)}. */
    public void imageAsFloats(int i, float[] dst, int off) {
        int size = imageSize(), base = i * size;
        for (int p = 0; p < size; p++) dst[off + p] = (pixels[base + p] & 0xFF) * (1f / 255f);
    }

    /** Number of images per class. */
    public int[] histogram() {
        int[] counts = new int[classNames.size()];
        for (int l : labels) counts[l]++;
        return counts;
    }

    /** The images at {@code indices}, in that order, as a new dataset named {@code newName}. */
    public ImageDataset subset(String newName, int[] indices) {
        int size = imageSize();
        byte[] px = new byte[Math.multiplyExact(indices.length, size)];
        int[] lb = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(pixels, indices[k] * size, px, k * size, size);
            lb[k] = labels[indices[k]];
        }
        return new ImageDataset(newName, indices.length, c, h, w, px, lb, classNames);
    }

    /** The first {@code count} images. */
    public ImageDataset head(int count) {
        int[] idx = new int[Math.min(count, n)];
        Arrays.setAll(idx, i -> i);
        return subset(name, idx);
    }

    @Override
    public String toString() {
        return String.format(
                "%s: %d images of %dx%dx%d, %d classes", name, n, c, h, w, classNames.size());
    }
}
