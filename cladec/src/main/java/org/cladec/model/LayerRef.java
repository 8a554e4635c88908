package org.cladec.model;

import java.util.ArrayList;
import java.util.List;

/**
 * A layer of the classifier to explain, addressed by its index from the output (-1 = logits, -2 =
 * output of the last conv block, -3 = the block before, ...) or by name ({@code logits}, {@code
 * blocks.7}, ...). {@code shape} is the activation shape of one image: {@code (classes)} for the
 * logits, {@code (c, h, w)} for a block.
 *
 * @param index index from the output, -1 ... -9
 * @param name {@code logits} or {@code blocks.i}
 * @param shape activation shape of one image
 */
public record LayerRef(int index, String name, int[] shape) {

    static LayerRef logits(int classes) {
        return new LayerRef(-1, "logits", new int[] {classes});
    }

    static LayerRef block(int i, int c, int h, int w) {
        return new LayerRef(i - 9, "blocks." + i, new int[] {c, h, w});
    }

    /** Whether this is the logits layer. */
    public boolean isLogits() {
        return index == -1;
    }

    /** How many conv blocks run to produce this layer (8 for the logits and for -2). */
    public int blocks() {
        return isLogits() ? 8 : 10 + index;
    }

    /** Spatial size of the activations (1 for the logits). */
    public int spatial() {
        return shape.length == 3 ? shape[1] : 1;
    }

    /** Number of activation values per image. */
    public int size() {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    /** e.g. {@code -2 (blocks.7, 512x1x1)}. */
    public String describe() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < shape.length; i++) s.append(i > 0 ? "x" : "").append(shape[i]);
        return index + " (" + name + ", " + s + ")";
    }

    /** Finds {@code spec} among {@code layers} or fails with a message listing the valid ones. */
    static LayerRef find(List<LayerRef> layers, String spec) {
        String s = spec == null ? "" : spec.trim();
        for (LayerRef l : layers) {
            if (l.name.equals(s) || String.valueOf(l.index).equals(s)) return l;
        }
        List<String> valid = new ArrayList<>();
        for (LayerRef l : layers) valid.add(l.describe());
        throw new IllegalArgumentException(
                "unknown layer '" + spec + "'; valid layers: " + String.join(", ", valid));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LayerRef l
                && l.index == index
                && l.name.equals(name)
                && java.util.Arrays.equals(l.shape, shape);
    }

    @Override
    public int hashCode() {
        return 31 * index + name.hashCode();
    }

    @Override
    public String toString() {
        return describe();
    }
}
