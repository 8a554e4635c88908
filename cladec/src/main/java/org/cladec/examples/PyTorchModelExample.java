package org.cladec.examples;

import java.nio.file.Path;
import org.cladec.datasets.EmbeddedFashionMnist;
import org.cladec.datasets.Splits;
import org.cladec.engine.tensor.Rng;
import org.cladec.io.Models;
import org.cladec.method.Evaluation;
import org.cladec.method.Reporter;
import org.cladec.method.Schedule;
import org.cladec.method.Training;
import org.cladec.model.Classifier;
import org.cladec.model.Decoder;
import org.cladec.model.LayerRef;

/**
 * Explaining a PyTorch-trained model: load a classifier saved from PyTorch as safetensors (names
 * and module definition in docs/pytorch-interop.md), check its accuracy here, train a ClaDec
 * decoder for its logits on the embedded data, and report how well the reconstructions carry the
 * class.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp cladec/target/cladec.jar
 * org.cladec.examples.PyTorchModelExample clf.safetensors}
 */
public final class PyTorchModelExample {
    private PyTorchModelExample() {}

    /** Returns {classifier accuracy, decoder MSE, classifier accuracy on the reconstructions}. */
    public static double[] run(Path model, int trainImages, int epochs) throws Exception {
        Classifier clf = Models.loadClassifier(model, null, null, null);
        System.out.printf(
                "loaded %s: %d channels, %d classes, width %s%n",
                model.getFileName(), clf.channels(), clf.classes(), clf.widthMultiplier());
        Splits data = EmbeddedFashionMnist.load();
        double acc = Evaluation.accuracy(clf, data.test(), 128);
        LayerRef logits = clf.layer("-1");
        Decoder dec = Decoder.forLayer(logits, clf.channels(), clf.widthMultiplier(), new Rng(1));
        Training.claDec(
                "ClaDec -1",
                clf,
                logits,
                dec,
                0f,
                data.train().head(trainImages),
                new Schedule(epochs, 32, 1),
                Reporter.silent(),
                null,
                null);
        Evaluation.Reconstruction rec =
                Evaluation.reconstruct(
                        "ClaDec", x -> dec.forward(clf.forwardTo(x, logits)), data.test(), 128);
        double recAcc = Evaluation.accuracy(clf, rec.images(), 128);
        return new double[] {acc, rec.mse(), recAcc};
    }

    /** Argument: the safetensors file of a PyTorch-trained classifier. */
    public static void main(String[] args) throws Exception {
        double[] r = run(Path.of(args.length > 0 ? args[0] : "clf.safetensors"), 8000, 2);
        System.out.printf(
                "classifier accuracy %.2f%%; ClaDec MSE %.4f; classifier accuracy on ClaDec reconstructions %.2f%%%n",
                100 * r[0], r[1], 100 * r[2]);
    }
}
