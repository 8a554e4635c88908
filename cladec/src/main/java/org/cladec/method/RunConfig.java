package org.cladec.method;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything a run needs to be repeated: written to {@code config.json} in the run folder.
 *
 * @param seed seeds every random choice (weights, shuffles, dropout)
 * @param threads size of the engine's thread pool
 * @param data the data folder, or null for the default chain
 * @param dataset the data format (auto, fashion-mnist, mnist, cifar10, cifar100, cifar100-coarse,
 *     folder)
 * @param useEmbedded take the embedded default even if other data is installed (the demo)
 * @param width classifier width multiplier (1 = the reference architecture)
 * @param classifierEpochs epochs of classifier training
 * @param decoderEpochs epochs of ClaDec and RefAE training
 * @param evalEpochs epochs of the evaluation classifiers (trained on reconstructions)
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
        int decoderEpochs,
        int evalEpochs,
        int batchSize,
        List<String> layers,
        float alpha,
        List<Float> alphaSweep,
        String sweepLayer,
        int trainLimit,
        int testLimit,
        int gridImages) {

    public RunConfig {
        layers = List.copyOf(layers);
        alphaSweep = List.copyOf(alphaSweep);
        if (!(alpha >= 0 && alpha <= 1))
            throw new IllegalArgumentException("alpha must be in [0, 1], but got " + alpha);
        for (float a : alphaSweep)
            if (!(a >= 0 && a <= 1))
                throw new IllegalArgumentException("sweep alpha must be in [0, 1], but got " + a);
        if (!(width > 0))
            throw new IllegalArgumentException("width must be positive, but got " + width);
        if (batchSize <= 1)
            throw new IllegalArgumentException(
                    "batch size must be at least 2, but got " + batchSize);
        if (classifierEpochs < 0 || decoderEpochs < 0 || evalEpochs < 0)
            throw new IllegalArgumentException("epochs must be >= 0");
        if (trainLimit < 0 || testLimit < 0)
            throw new IllegalArgumentException("limits must be >= 0");
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
                6,
                4,
                3,
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
     * The paper's experiment on the full data: the reference classifier, layers -1, -2, -3, the
     * full sweep on -1.
     */
    public static RunConfig paper(long seed, int threads) {
        return new RunConfig(
                seed,
                threads,
                null,
                "auto",
                false,
                1f,
                16,
                8,
                8,
                128,
                List.of("-1", "-2", "-3"),
                0f,
                List.of(0f, 0.01f, 0.1f, 0.5f, 0.9f, 0.99f),
                "-1",
                0,
                0,
                12);
    }

    public RunConfig withSeed(long s) {
        return new RunConfig(
                s,
                threads,
                data,
                dataset,
                useEmbedded,
                width,
                classifierEpochs,
                decoderEpochs,
                evalEpochs,
                batchSize,
                layers,
                alpha,
                alphaSweep,
                sweepLayer,
                trainLimit,
                testLimit,
                gridImages);
    }

    /**
     * Data from {@code d} (null: the default chain, or the embedded data for the demo) in format
     * {@code kind}.
     */
    public RunConfig withData(String d, String kind) {
        return new RunConfig(
                seed,
                threads,
                d,
                kind,
                d == null && useEmbedded,
                width,
                classifierEpochs,
                decoderEpochs,
                evalEpochs,
                batchSize,
                layers,
                alpha,
                alphaSweep,
                sweepLayer,
                trainLimit,
                testLimit,
                gridImages);
    }

    public RunConfig withEpochs(int classifier, int decoder, int eval) {
        return new RunConfig(
                seed,
                threads,
                data,
                dataset,
                useEmbedded,
                width,
                classifier,
                decoder,
                eval,
                batchSize,
                layers,
                alpha,
                alphaSweep,
                sweepLayer,
                trainLimit,
                testLimit,
                gridImages);
    }

    public RunConfig withBatchSize(int b) {
        return new RunConfig(
                seed,
                threads,
                data,
                dataset,
                useEmbedded,
                width,
                classifierEpochs,
                decoderEpochs,
                evalEpochs,
                b,
                layers,
                alpha,
                alphaSweep,
                sweepLayer,
                trainLimit,
                testLimit,
                gridImages);
    }

    public RunConfig withLayers(List<String> l, float a, List<Float> sweep) {
        return new RunConfig(
                seed,
                threads,
                data,
                dataset,
                useEmbedded,
                width,
                classifierEpochs,
                decoderEpochs,
                evalEpochs,
                batchSize,
                l,
                a,
                sweep,
                sweepLayer,
                trainLimit,
                testLimit,
                gridImages);
    }

    public RunConfig withWidth(float w) {
        return new RunConfig(
                seed,
                threads,
                data,
                dataset,
                useEmbedded,
                w,
                classifierEpochs,
                decoderEpochs,
                evalEpochs,
                batchSize,
                layers,
                alpha,
                alphaSweep,
                sweepLayer,
                trainLimit,
                testLimit,
                gridImages);
    }

    public RunConfig withLimits(int train, int test) {
        return new RunConfig(
                seed,
                threads,
                data,
                dataset,
                useEmbedded,
                width,
                classifierEpochs,
                decoderEpochs,
                evalEpochs,
                batchSize,
                layers,
                alpha,
                alphaSweep,
                sweepLayer,
                train,
                test,
                gridImages);
    }
}
