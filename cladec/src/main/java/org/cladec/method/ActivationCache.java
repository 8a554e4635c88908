package org.cladec.method;

import org.cladec.datasets.Batch;
import org.cladec.datasets.DataLoader;
import org.cladec.datasets.ImageDataset;
import org.cladec.engine.autograd.NoGrad;
import org.cladec.engine.tensor.Tensor;
import org.cladec.engine.tensor.Workspace;
import org.cladec.model.Classifier;
import org.cladec.model.LayerRef;

/**
 * The frozen classifier's activations of one layer for every image of a dataset, computed once (as
 * the authors' reference code does) so that ClaDec's training epochs skip the classifier's forward
 * pass on the input. Only built when it fits a memory budget; callers fall back to computing
 * activations per batch.
 */
public final class ActivationCache {
    private final LayerRef layer;
    private final int per;
    private final float[] data; // (images, per), in dataset order

    private ActivationCache(LayerRef layer, int images) {
        this.layer = layer;
        this.per = layer.size();
        this.data = new float[Math.multiplyExact(images, per)];
    }

    /** Bytes the cache of {@code layer} for {@code images} images would take. */
    public static long bytes(LayerRef layer, int images) {
        return 4L * layer.size() * images;
    }

    /** Whether a cache fits: at most 1 GiB and a quarter of the heap. */
    public static boolean fits(LayerRef layer, int images) {
        long b = bytes(layer, images);
        return b <= Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 4)
                && (long) layer.size() * images <= Integer.MAX_VALUE - 16;
    }

    /** Runs the classifier (evaluation mode, no gradients) over {@code ds} to {@code layer}. */
    public static ActivationCache build(
            Classifier c, LayerRef layer, ImageDataset ds, int batchSize) {
        ActivationCache cache = new ActivationCache(layer, ds.size());
        c.eval();
        Workspace ws = new Workspace();
        try (DataLoader l = Training.evalLoader(ds, batchSize);
                NoGrad g = NoGrad.enter()) {
            for (Batch b : l.epoch(0)) {
                try (Workspace.Scope s = ws.open()) {
                    Tensor act = c.forwardTo(b.images(), layer).dense();
                    for (int k = 0; k < b.size(); k++)
                        System.arraycopy(
                                act.data(),
                                k * cache.per,
                                cache.data,
                                b.indices()[k] * cache.per,
                                cache.per);
                }
            }
        }
        return cache;
    }

    /** The layer cached. */
    public LayerRef layer() {
        return layer;
    }

    /** The activations of the images at {@code indices}, as (n, shape...) in workspace storage. */
    public Tensor gather(int[] indices) {
        int[] s = layer.shape();
        int[] shape = new int[s.length + 1];
        shape[0] = indices.length;
        System.arraycopy(s, 0, shape, 1, s.length);
        Tensor t = Tensor.empty(shape);
        for (int k = 0; k < indices.length; k++)
            System.arraycopy(data, indices[k] * per, t.data(), k * per, per);
        return t;
    }
}
