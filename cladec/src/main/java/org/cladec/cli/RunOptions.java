package org.cladec.cli;

import java.util.List;
import org.cladec.method.RunConfig;
import picocli.CommandLine.Option;

/** Options that shape an experiment; unset ones keep the base configuration's values. */
public final class RunOptions {
    @Option(names = "--epochs", paramLabel = "N", description = "Classifier training epochs.")
    Integer epochs;

    @Option(
            names = "--augment",
            negatable = true,
            description =
                    "Train the classifier on randomly shifted (up to "
                            + RunConfig.AUGMENT_SHIFT
                            + " px) and flipped images (paper: on, demo: off).")
    Boolean augment;

    @Option(
            names = "--decoder-epochs",
            paramLabel = "N",
            description = "ClaDec and RefAE training epochs.")
    Integer decoderEpochs;

    @Option(
            names = "--eval-epochs",
            paramLabel = "N",
            description =
                    "Epochs of the evaluation classifiers trained on reconstructions (0: skip that measure).")
    Integer evalEpochs;

    @Option(
            names = "--sweep-epochs",
            paramLabel = "N",
            description = "Epochs of each decoder of the alpha sweep.")
    Integer sweepEpochs;

    @Option(
            names = "--width",
            paramLabel = "W",
            description = "Classifier width multiplier (1 = the reference VGG-style net).")
    Float width;

    @Option(
            names = "--layer",
            paramLabel = "L",
            split = ",",
            description = "Layers to explain: -1 (logits), -2, ... or names (blocks.7).")
    List<String> layers;

    @Option(
            names = "--alpha",
            paramLabel = "A",
            description =
                    "Weight of the classifier's loss in ClaDec training, in [0, 1] (0: plain ClaDec).")
    Float alpha;

    @Option(
            names = "--sweep",
            paramLabel = "A",
            split = ",",
            description = "Alphas for the fidelity/relevance sweep (empty: none).")
    List<Float> sweep;

    @Option(
            names = "--train-limit",
            paramLabel = "N",
            description = "Use at most N training images (a seeded random subset).")
    Integer trainLimit;

    @Option(names = "--test-limit", paramLabel = "N", description = "Use at most N test images.")
    Integer testLimit;

    /** {@code base} with every option that was given applied (validated by RunConfig). */
    RunConfig apply(RunConfig base, CommonOptions common) {
        return base.with(
                b -> {
                    if (common.seed != null) b.seed = common.seed;
                    if (common.data != null) {
                        b.data = common.data.toString();
                        b.useEmbedded = false;
                    }
                    if (common.dataset != null) b.dataset = common.dataset;
                    if (common.batchSize != null) b.batchSize = common.batchSize;
                    if (epochs != null) b.classifierEpochs = epochs;
                    if (augment != null) b.augment = augment;
                    if (decoderEpochs != null) b.decoderEpochs = decoderEpochs;
                    if (evalEpochs != null) b.evalEpochs = evalEpochs;
                    if (sweepEpochs != null) b.sweepEpochs = sweepEpochs;
                    if (width != null) b.width = width;
                    if (layers != null) b.layers = layers;
                    if (alpha != null) b.alpha = alpha;
                    if (sweep != null) b.alphaSweep = sweep;
                    if (trainLimit != null) b.trainLimit = trainLimit;
                    if (testLimit != null) b.testLimit = testLimit;
                });
    }
}
