package org.cladec.api;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.cladec.datasets.ImageDataset;
import org.cladec.engine.autograd.NoGrad;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.cladec.io.Models;
import org.cladec.method.Evaluation;
import org.cladec.method.Reporter;
import org.cladec.method.Schedule;
import org.cladec.method.Training;
import org.cladec.model.Classifier;
import org.cladec.model.Decoder;
import org.cladec.model.LayerRef;
import org.cladec.model.RefAE;

/**
 * The ClaDec method as a small API to embed: train or load a classifier, train a ClaDec decoder or
 * a reference autoencoder for one of its layers, reconstruct images, and compute the paper's
 * measures.
 *
 * <pre>{@code
 * Splits data = DataSource.load(null, DataSource.Kind.AUTO, DataSource.FolderOptions.DEFAULT);
 * Classifier clf = ClaDec.trainClassifier(data.train(), 0.25f, 5, 64, 1);
 * ClaDec.Explanation cla = ClaDec.explain(clf, "-1", 0f, data.train(), 3, 64, 1);
 * ClaDec.Explanation ref = ClaDec.referenceAutoencoder(clf, "-1", data.train(), 3, 64, 1);
 * Tensor images = ...;                       // (N, C, 32, 32) in [0, 1]
 * Tensor seen = cla.reconstruct(images);     // what layer -1 keeps
 * ClaDec.Measures m = ClaDec.measure(clf, cla, data.test(), 128);
 * }</pre>
 */
public final class ClaDec {
    private ClaDec() {}

    /**
     * Trains the reference VGG-style classifier (width multiplier {@code width}) on {@code train}.
     */
    public static Classifier trainClassifier(
            ImageDataset train, float width, int epochs, int batchSize, long seed) {
        Classifier c =
                Classifier.create(train.channels(), train.numClasses(), width, new Rng(seed));
        Training.classifier(
                "classifier",
                c,
                train,
                null,
                new Schedule(epochs, batchSize, seed),
                Reporter.silent(),
                null);
        return c;
    }

    /** Loads a classifier saved here or from PyTorch (see docs/pytorch-interop.md). */
    public static Classifier loadClassifier(Path file) throws IOException {
        return Models.loadClassifier(file, null, null, null);
    }

    /**
     * A trained explainer of one layer: a ClaDec decoder (over the frozen classifier) or a
     * reference autoencoder.
     */
    public static final class Explanation {
        private final Classifier classifier;
        private final LayerRef layer;
        private final Decoder decoder;
        private final RefAE refAE;

        private Explanation(Classifier classifier, LayerRef layer, Decoder decoder, RefAE refAE) {
            this.classifier = classifier;
            this.layer = layer;
            this.decoder = decoder;
            this.refAE = refAE;
        }

        /** The explained layer. */
        public LayerRef layer() {
            return layer;
        }

        /** Reconstructions (N, C, 32, 32) of images (N, C, 32, 32), without gradients. */
        public Tensor reconstruct(Tensor images) {
            try (NoGrad g = NoGrad.enter()) {
                if (refAE != null) {
                    refAE.eval();
                    return refAE.forward(images);
                }
                classifier.eval();
                decoder.eval();
                return decoder.forward(classifier.forwardTo(images, layer));
            }
        }

        /** Saves the decoder (ClaDec) or the whole autoencoder (RefAE) as safetensors. */
        public void save(Path file) throws IOException {
            Map<String, String> meta = Map.of("cladec.layer", String.valueOf(layer.index()));
            if (refAE != null) Models.save(file, refAE, "refae", meta);
            else Models.save(file, decoder, "cladec-decoder", meta);
        }
    }

    /**
     * Trains ClaDec for {@code layer} ("-1", "-2", "blocks.7", ...) with classification weight
     * {@code alpha}.
     */
    public static Explanation explain(
            Classifier c,
            String layer,
            float alpha,
            ImageDataset train,
            int epochs,
            int batchSize,
            long seed) {
        LayerRef l = c.layer(layer);
        Decoder d = Decoder.forLayer(l, c.channels(), c.widthMultiplier(), new Rng(seed));
        Training.claDec(
                "ClaDec " + l.index(),
                c,
                l,
                d,
                alpha,
                train,
                new Schedule(epochs, batchSize, seed),
                Reporter.silent(),
                null,
                null);
        return new Explanation(c, l, d, null);
    }

    /**
     * Trains the reference autoencoder for {@code layer}: the classifier's architecture up to it,
     * fresh weights, and the same decoder.
     */
    public static Explanation referenceAutoencoder(
            Classifier c, String layer, ImageDataset train, int epochs, int batchSize, long seed) {
        LayerRef l = c.layer(layer);
        RefAE ae = new RefAE(c.channels(), c.classes(), c.widthMultiplier(), l, new Rng(seed));
        Training.refAE(
                "RefAE " + l.index(),
                ae,
                train,
                new Schedule(epochs, batchSize, seed),
                Reporter.silent(),
                null);
        return new Explanation(c, l, null, ae);
    }

    /**
     * The paper's measures of an explanation on {@code test}.
     *
     * @param mse reconstruction error
     * @param classifierAccuracy accuracy of the explained classifier on the reconstructions
     * @param evalAccuracyReconstructed accuracy of a fresh classifier trained on reconstructed
     *     training images, on reconstructed test images (NaN unless measured)
     * @param evalAccuracyOriginal the same classifier on the original test images (NaN unless
     *     measured)
     */
    public record Measures(
            double mse,
            double classifierAccuracy,
            double evalAccuracyReconstructed,
            double evalAccuracyOriginal) {}

    /** Reconstruction MSE and the classifier's accuracy on the reconstructions of {@code test}. */
    public static Measures measure(Classifier c, Explanation e, ImageDataset test, int batchSize) {
        Evaluation.Reconstruction r =
                Evaluation.reconstruct("reconstructed", e::reconstruct, test, batchSize);
        return new Measures(
                r.mse(), Evaluation.accuracy(c, r.images(), batchSize), Double.NaN, Double.NaN);
    }

    /**
     * All four measures: also trains a fresh classifier of the same architecture on the
     * reconstructions of {@code train} for {@code evalEpochs} epochs and tests it.
     */
    public static Measures measure(
            Classifier c,
            Explanation e,
            ImageDataset train,
            ImageDataset test,
            int evalEpochs,
            int batchSize,
            long seed) {
        Evaluation.Reconstruction rt =
                Evaluation.reconstruct("reconstructed test", e::reconstruct, test, batchSize);
        Evaluation.Reconstruction rtr =
                Evaluation.reconstruct("reconstructed train", e::reconstruct, train, batchSize);
        Classifier fresh =
                Classifier.create(c.channels(), c.classes(), c.widthMultiplier(), new Rng(seed));
        Training.classifier(
                "evaluation classifier",
                fresh,
                rtr.images(),
                null,
                new Schedule(evalEpochs, batchSize, seed),
                Reporter.silent(),
                null);
        return new Measures(
                rt.mse(),
                Evaluation.accuracy(c, rt.images(), batchSize),
                Evaluation.accuracy(fresh, rt.images(), batchSize),
                Evaluation.accuracy(fresh, test, batchSize));
    }
}
