package org.cladec.cli;

import java.util.List;
import org.cladec.method.RunConfig;
import picocli.CommandLine.Option;

/** Options that shape an experiment; unset ones keep the base configuration's values. */
public final class RunOptions {
    @Option(names = "--epochs", paramLabel = "N", description = "Classifier training epochs.")
    Integer epochs;

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
        RunConfig c = base;
        if (common.seed != null) c = c.withSeed(common.seed);
        if (common.data != null || common.dataset != null) {
            c =
                    c.withData(
                            common.data != null ? common.data.toString() : c.data(),
                            common.dataset != null ? common.dataset : c.dataset());
        }
        c =
                c.withEpochs(
                        epochs != null ? epochs : c.classifierEpochs(),
                        decoderEpochs != null ? decoderEpochs : c.decoderEpochs(),
                        evalEpochs != null ? evalEpochs : c.evalEpochs());
        if (common.batchSize != null) c = c.withBatchSize(common.batchSize);
        if (width != null) c = c.withWidth(width);
        c =
                c.withLayers(
                        layers != null ? layers : c.layers(),
                        alpha != null ? alpha : c.alpha(),
                        sweep != null ? sweep : c.alphaSweep());
        c =
                c.withLimits(
                        trainLimit != null ? trainLimit : c.trainLimit(),
                        testLimit != null ? testLimit : c.testLimit());
        return c;
    }
}
