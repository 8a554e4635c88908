package org.cladec.examples;

import java.nio.file.Path;
import java.util.List;
import org.cladec.datasets.EmbeddedFashionMnist;
import org.cladec.datasets.ImageDataset;
import org.cladec.engine.autograd.NoGrad;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.cladec.io.Grids;
import org.cladec.io.Models;
import org.cladec.model.Classifier;
import org.cladec.model.Decoder;
import org.cladec.model.LayerRef;

/**
 * Explaining one image with saved models: load the classifier and the ClaDec decoder of a layer
 * from a run folder (made by {@code cladec demo} or {@code cladec explain}), run one test image
 * through the classifier to that layer and decode it, and write Original | ClaDec | |difference| as
 * a PNG.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp cladec/target/cladec.jar
 * org.cladec.examples.ExplainImageExample runs/demo -1 7 explained.png}
 */
public final class ExplainImageExample {
    private ExplainImageExample() {}

    /**
     * Explains test image {@code index} of the embedded data with {@code run}'s models; returns the
     * reconstruction's MSE.
     */
    public static double run(Path run, String layerSpec, int index, Path png) throws Exception {
        Classifier classifier =
                Models.loadClassifier(
                        run.resolve("models/classifier.safetensors"), null, null, null);
        LayerRef layer = classifier.layer(layerSpec);
        Decoder decoder =
                Decoder.forLayer(
                        layer, classifier.channels(), classifier.widthMultiplier(), new Rng(0));
        Path decoderFile = run.resolve("models/cladec_layer" + layer.index() + ".safetensors");
        Models.load(decoderFile, decoder, Models.read(decoderFile, "cladec-decoder"));

        ImageDataset test = EmbeddedFashionMnist.load().test();
        float[] raw = new float[28 * 28], img = new float[32 * 32];
        test.imageAsFloats(index, raw, 0);
        org.cladec.datasets.Resize.resize(
                org.cladec.datasets.Resize.Mode.NEAREST, raw, 0, 1, 28, 28, img, 0, 32, 32);
        Tensor x = Tensor.wrap(img, 1, 1, 32, 32);

        Tensor rec;
        classifier.eval();
        decoder.eval();
        try (NoGrad g = NoGrad.enter()) {
            rec = decoder.forward(classifier.forwardTo(x, layer));
        }
        float[] r = rec.toArray(), diff = new float[img.length];
        double se = 0;
        for (int i = 0; i < img.length; i++) {
            diff[i] = Math.abs(img[i] - r[i]);
            se += diff[i] * diff[i];
        }
        String title = test.classNames().get(test.label(index));
        Grids.write(
                png,
                List.of(
                        new Grids.Row("Original", List.of(img), false),
                        new Grids.Row("ClaDec " + layer.index(), List.of(r), false),
                        new Grids.Row("|difference|", List.of(diff), true)),
                List.of(title),
                1,
                32,
                32,
                4);
        return se / img.length;
    }

    /** Arguments: run folder, layer, test image index, output PNG. */
    public static void main(String[] args) throws Exception {
        Path run = Path.of(args.length > 0 ? args[0] : "runs/demo");
        double mse =
                run(
                        run,
                        args.length > 1 ? args[1] : "-1",
                        args.length > 2 ? Integer.parseInt(args[2]) : 0,
                        Path.of(args.length > 3 ? args[3] : "explained.png"));
        System.out.printf("reconstruction MSE %.5f%n", mse);
    }
}
