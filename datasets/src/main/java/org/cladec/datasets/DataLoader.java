package org.cladec.datasets;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.joml.Matrix3x2f;

/**
 * Turns an {@link ImageDataset} into batches of float tensors: pixels to [0, 1], resize (nearest as
 * the reference code's {@code F.interpolate}, or bilinear), optional augmentation, optional
 * per-channel normalisation {@code (x − mean) / std}.
 *
 * <p>Each epoch's order is a permutation drawn from {@code Rng(seed, epoch)} when shuffling, else
 * the dataset order; augmentation draws come from a generator per (seed, epoch, batch), so results
 * are reproducible and do not depend on prefetching. Two batch buffers are allocated once and
 * reused; with {@code prefetch}, a background thread fills the next batch while the caller uses the
 * current one.
 */
public final class DataLoader implements AutoCloseable {
    private final ImageDataset ds;
    private final int batchSize, outH, outW, C;
    private final boolean shuffle, dropLast, prefetch;
    private final long seed;
    private final Resize.Mode resizeMode;
    private final Augment augment;
    private final float[] mean, std;
    private final Slot[] slots = new Slot[2];
    private ExecutorService executor;

    private DataLoader(Builder b) {
        this.ds = b.ds;
        this.batchSize = b.batchSize;
        this.outH = b.outH > 0 ? b.outH : ds.height();
        this.outW = b.outW > 0 ? b.outW : ds.width();
        this.C = ds.channels();
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
        this.prefetch = b.prefetch;
        this.seed = b.seed;
        this.resizeMode = b.resizeMode;
        this.augment = b.augment;
        this.mean = b.mean;
        this.std = b.std;
        if (mean != null && (mean.length != C || std == null || std.length != C)) {
            throw new IllegalArgumentException(
                    "normalisation needs " + C + " means and standard deviations");
        }
        if (std != null)
            for (float s : std)
                if (!(s > 0))
                    throw new IllegalArgumentException("standard deviations must be positive");
    }

    /** A builder for loading {@code ds}. */
    public static Builder builder(ImageDataset ds) {
        return new Builder(ds);
    }

    /** The dataset batches come from. */
    public ImageDataset dataset() {
        return ds;
    }

    /** Batches per epoch (the last one is smaller unless {@code dropLast}). */
    public int batchesPerEpoch() {
        return dropLast ? ds.size() / batchSize : (ds.size() + batchSize - 1) / batchSize;
    }

    /** Images per epoch. */
    public int imagesPerEpoch() {
        return dropLast ? batchesPerEpoch() * batchSize : ds.size();
    }

    /** Images per full batch. */
    public int batchSize() {
        return batchSize;
    }

    /** Output image shape (C, H, W). */
    public int[] imageShape() {
        return new int[] {C, outH, outW};
    }

    /** The order of epoch {@code epoch}: a seeded permutation, or 0..n−1 without shuffling. */
    public int[] order(int epoch) {
        int[] idx = new int[ds.size()];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        if (shuffle) new Rng(mix(seed, epoch, -1)).shuffle(idx, idx.length);
        return idx;
    }

    private static long mix(long seed, int epoch, int batch) {
        long z =
                seed * 0x9E3779B97F4A7C15L
                        + epoch * 0xBF58476D1CE4E5B9L
                        + batch * 0x94D049BB133111EBL;
        return z ^ (z >>> 29);
    }

    /** The batches of one epoch. */
    public Iterable<Batch> epoch(int epoch) {
        int[] order = order(epoch);
        return () -> new EpochIterator(order, epoch);
    }

    private final class Slot {
        final float[] data = new float[Math.multiplyExact(batchSize, C * outH * outW)];
        final float[] raw = new float[ds.imageSize()], resized = new float[C * outH * outW];
        final int[] labels = new int[batchSize], indices = new int[batchSize];
    }

    private Batch fill(int slotIndex, int[] order, int epoch, int b) {
        if (slots[slotIndex] == null) slots[slotIndex] = new Slot();
        Slot s = slots[slotIndex];
        int start = b * batchSize, n = Math.min(batchSize, order.length - start);
        int per = C * outH * outW;
        Rng rng = augment.isIdentity() ? null : new Rng(mix(seed, epoch, b));
        for (int k = 0; k < n; k++) {
            int i = order[start + k];
            ds.imageAsFloats(i, s.raw, 0);
            int off = k * per;
            if (rng == null) {
                Resize.resize(
                        resizeMode, s.raw, 0, C, ds.height(), ds.width(), s.data, off, outH, outW);
            } else {
                Resize.resize(
                        resizeMode, s.raw, 0, C, ds.height(), ds.width(), s.resized, 0, outH, outW);
                Matrix3x2f m = augment.draw(rng, outH, outW);
                Augment.apply(m, s.resized, 0, s.data, off, C, outH, outW);
            }
            if (mean != null) {
                for (int c = 0; c < C; c++) {
                    float mu = mean[c], inv = 1f / std[c];
                    for (int p = 0; p < outH * outW; p++)
                        s.data[off + c * outH * outW + p] =
                                (s.data[off + c * outH * outW + p] - mu) * inv;
                }
            }
            s.labels[k] = ds.label(i);
            s.indices[k] = i;
        }
        int[] labels = n == batchSize ? s.labels : java.util.Arrays.copyOf(s.labels, n);
        int[] indices = n == batchSize ? s.indices : java.util.Arrays.copyOf(s.indices, n);
        return new Batch(Tensor.wrap(s.data, n, C, outH, outW), labels, indices);
    }

    private final class EpochIterator implements Iterator<Batch> {
        private final int[] order;
        private final int epoch, count;
        private int next;
        private Future<Batch> pending;

        EpochIterator(int[] order, int epoch) {
            this.order = order;
            this.epoch = epoch;
            this.count = batchesPerEpoch();
        }

        @Override
        public boolean hasNext() {
            return next < count;
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException();
            Batch b;
            if (pending != null) {
                try {
                    b = pending.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while loading a batch", e);
                } catch (ExecutionException e) {
                    throw new IllegalStateException(
                            "loading a batch failed: " + e.getCause(), e.getCause());
                }
                pending = null;
            } else {
                b = fill(next % 2, order, epoch, next);
            }
            next++;
            if (prefetch && next < count) {
                int k = next;
                pending = executor().submit(() -> fill(k % 2, order, epoch, k));
            }
            return b;
        }
    }

    private synchronized ExecutorService executor() {
        if (executor == null) {
            executor =
                    Executors.newSingleThreadExecutor(
                            r -> {
                                Thread t = new Thread(r, "batch-prefetch");
                                t.setDaemon(true);
                                return t;
                            });
        }
        return executor;
    }

    /** Stops the prefetch thread, if one was started. */
    @Override
    public synchronized void close() {
        if (executor != null) executor.shutdownNow();
        executor = null;
    }

    /** Builder with defaults: batch 128, no shuffle, keep the last partial batch, original size. */
    public static final class Builder {
        private final ImageDataset ds;
        private int batchSize = 128, outH = -1, outW = -1;
        private boolean shuffle, dropLast, prefetch;
        private long seed;
        private Resize.Mode resizeMode = Resize.Mode.NEAREST;
        private Augment augment = Augment.NONE;
        private float[] mean, std;

        private Builder(ImageDataset ds) {
            this.ds = ds;
        }

        /** Images per batch (default 128). */
        public Builder batchSize(int n) {
            if (n <= 0)
                throw new IllegalArgumentException("batch size must be positive, but got " + n);
            batchSize = n;
            return this;
        }

        /** Shuffle each epoch with a permutation drawn from (seed, epoch). */
        public Builder shuffle(boolean on, long seed) {
            shuffle = on;
            this.seed = seed;
            return this;
        }

        /** Drop the last incomplete batch of each epoch. */
        public Builder dropLast(boolean on) {
            dropLast = on;
            return this;
        }

        /** Fill the next batch on a background thread while the current one is used. */
        public Builder prefetch(boolean on) {
            prefetch = on;
            return this;
        }

        /** Resize every image to size x size with the given mode. */
        public Builder resize(int size, Resize.Mode mode) {
            if (size <= 0)
                throw new IllegalArgumentException("image size must be positive, but got " + size);
            outH = outW = size;
            resizeMode = mode;
            return this;
        }

        /**
         * Augment with {@code a}; draws are seeded by the shuffle seed, the epoch and the batch.
         */
        public Builder augment(Augment a) {
            augment = a;
            return this;
        }

        /** Per-channel {@code (x − mean) / std} after resizing and augmenting. */
        public Builder normalize(float[] mean, float[] std) {
            this.mean = mean.clone();
            this.std = std.clone();
            return this;
        }

        /** Validates the settings and creates the loader. */
        public DataLoader build() {
            return new DataLoader(this);
        }
    }
}
