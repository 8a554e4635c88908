package org.cladec.method;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.cladec.datasets.Augment;

/**
 * Everything a run needs to be repeated: written to {@code config.json} in the run folder. Change a
 * copy with {@link #with}: {@code cfg.with(b -> b.decoderEpochs = 3)}.
 *
 * @param seed seeds every random choice (weights, shuffles, dropout)
 * @param threads size of the engine's thread pool
 * @param data the data folder, or null for the default chain
 * @param dataset the data format (auto, fashion-mnist, mnist, cifar10, cifar100, cifar100-coarse,
 *     folder)
 * @param useEmbedded with no {@code data}, take the embedded default even if other data is
 *     installed
 * @param width classifier width multiplier (1 = the reference architecture)
 * @param classifierEpochs epochs of classifier training
 * @param augment train the classifier on randomly shifted (whole pixels, up to {@link
 *     #AUGMENT_SHIFT}) and horizontally flipped images; the decoders and the evaluation classifiers
 *     always see the images as they are
 * @param decoderEpochs epochs of ClaDec and RefAE training
 * @param evalEpochs epochs of the evaluation classifiers trained on reconstructions (0: skip)
 * @param sweepEpochs epochs of each decoder of the alpha sweep
 * @param batchSize images per step
 * @param layers layers to explain ("-1", "-2", names)
 * @param alpha ClaDec's classification-loss weight for the explained layers (0 = plain ClaDec)
 * @param alphaSweep alphas for the fidelity/relevance sweep (empty: no sweep)
 * @param sweepLayer the layer of the sweep
 * @param trainLimit use at most this many training images (0: all), a seeded random subset
 * @param testLimit use at most this many test images (0: all)
 * @param gridImages test images per PNG grid
 */
public record RunConfig(
        long seed,
        int threads,
        String data,
        String dataset,
        boolean useEmbedded,
        float width,
        int classifierEpochs,
        boolean augment,
        int decoderEpochs,
        int evalEpochs,
        int sweepEpochs,
        int batchSize,
        List<String> layers,
        float alpha,
        List<Float> alphaSweep,
        String sweepLayer,
        int trainLimit,
        int testLimit,
        int gridImages) {

    /** Largest shift, in pixels, of the classifier's training images with {@code augment}. */
    public static final int AUGMENT_SHIFT = 2;

    /** The classifier's augmentation with {@code augment}, else {@link Augment#NONE}. */
    public Augment classifierAugment() {
        return augment ? Augment.shiftAndFlip(AUGMENT_SHIFT, 0.5f) : Augment.NONE;
    }

    public RunConfig {
        layers = List.copyOf(layers);
        alphaSweep = List.copyOf(alphaSweep);
        if (dataset == null) dataset = "auto";
        if (!(alpha >= 0 && alpha <= 1))
            throw new IllegalArgumentException("alpha must be in [0, 1], but got " + alpha);
        for (float a : alphaSweep)
            if (!(a >= 0 && a <= 1))
                throw new IllegalArgumentException("sweep alpha must be in [0, 1], but got " + a);
        if (!(width > 0 && width <= 16))
            throw new IllegalArgumentException("width must be in (0, 16], but got " + width);
        if (batchSize <= 1)
            throw new IllegalArgumentException(
                    "batch size must be at least 2, but got " + batchSize);
        if (classifierEpochs < 0 || decoderEpochs < 0 || evalEpochs < 0 || sweepEpochs < 0)
            throw new IllegalArgumentException("epochs must be >= 0");
        if (trainLimit < 0 || testLimit < 0)
            throw new IllegalArgumentException("limits must be >= 0");
        if (gridImages < 1)
            throw new IllegalArgumentException("grid images must be >= 1, but got " + gridImages);
    }

    /**
     * The demo: embedded data, the small classifier (width 0.25), layers -1 and -2, a short alpha
     * sweep.
     */
    public static RunConfig demo(long seed, int threads) {
        return new RunConfig(
                seed,
                threads,
                null,
                "auto",
                true,
                0.25f,
                5,
                false,
                3,
                2,
                2,
                64,
                List.of("-1", "-2"),
                0f,
                List.of(0f, 0.1f, 0.9f),
                "-1",
                0,
                0,
                12);
    }

    /**
     * The paper's experiment on the full data: the reference classifier (trained with shifts and
     * flips), layers -1, -2, -3, the full sweep on -1. Epochs are what two CPU cores finish in a
     * few hours (see docs/results.md).
     */
    public static RunConfig paper(long seed, int threads) {
        return new RunConfig(
                seed,
                threads,
                null,
                "auto",
                false,
                1f,
                30,
                true,
                3,
                2,
                1,
                128,
                List.of("-1", "-2", "-3"),
                0f,
                List.of(0f, 0.01f, 0.1f, 0.5f, 0.9f, 0.99f),
                "-1",
                0,
                0,
                12);
    }

    /** A copy with {@code change} applied to its fields (validated again). */
    public RunConfig with(Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /** Reads the config.json of a run folder, or returns null when there is none. */
    public static RunConfig read(Path runDir) throws IOException {
        Path f = runDir.resolve("config.json");
        if (!Files.isRegularFile(f)) return null;
        try {
            return new ObjectMapper().readValue(f.toFile(), RunConfig.class);
        } catch (JacksonException e) {
            throw new IOException(f + ": not a run configuration: " + e.getOriginalMessage(), e);
        }
    }

    /** Mutable fields for {@link #with}. */
    public static final class Builder {
        public long seed;
        public int threads;
        public String data;
        public String dataset;
        public boolean useEmbedded;
        public float width;
        public int classifierEpochs, decoderEpochs, evalEpochs, sweepEpochs, batchSize;
        public boolean augment;
        public List<String> layers;
        public float alpha;
        public List<Float> alphaSweep;
        public String sweepLayer;
        public int trainLimit, testLimit, gridImages;

        Builder(RunConfig c) {
            seed = c.seed;
            threads = c.threads;
            data = c.data;
            dataset = c.dataset;
            useEmbedded = c.useEmbedded;
            width = c.width;
            classifierEpochs = c.classifierEpochs;
            augment = c.augment;
            decoderEpochs = c.decoderEpochs;
            evalEpochs = c.evalEpochs;
            sweepEpochs = c.sweepEpochs;
            batchSize = c.batchSize;
            layers = c.layers;
            alpha = c.alpha;
            alphaSweep = c.alphaSweep;
            sweepLayer = c.sweepLayer;
            trainLimit = c.trainLimit;
            testLimit = c.testLimit;
            gridImages = c.gridImages;
        }

        RunConfig build() {
            return new RunConfig(
                    seed,
                    threads,
                    data,
                    dataset,
                    useEmbedded,
                    width,
                    classifierEpochs,
                    augment,
                    decoderEpochs,
                    evalEpochs,
                    sweepEpochs,
                    batchSize,
                    layers,
                    alpha,
                    alphaSweep,
                    sweepLayer,
                    trainLimit,
                    testLimit,
                    gridImages);
        }
    }
}
