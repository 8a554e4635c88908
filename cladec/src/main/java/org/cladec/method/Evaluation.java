package org.cladec.method;

import java.util.function.UnaryOperator;
import org.cladec.datasets.Batch;
import org.cladec.datasets.DataLoader;
import org.cladec.datasets.ImageDataset;
import org.cladec.engine.autograd.NoGrad;
import org.cladec.engine.nn.Module;
import org.cladec.engine.tensor.Tensor;
import org.cladec.engine.tensor.Workspace;
import org.cladec.model.Classifier;

/**
 * The paper's measures: reconstruction error, and classification accuracy on originals and
 * reconstructions.
 */
public final class Evaluation {
    private Evaluation() {}

    /** Index of the largest logit of each row of (N, K). */
    public static int[] argmax(Tensor logits) {
        Tensor l = logits.dense();
        int n = l.shape(0), k = l.shape(1);
        int[] out = new int[n];
        float[] d = l.data();
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int j = 1; j < k; j++) if (d[i * k + j] > d[i * k + best]) best = j;
            out[i] = best;
        }
        return out;
    }

    /** Predicted classes for images (N, C, 32, 32), in evaluation mode without gradients. */
    public static int[] predict(Classifier c, Tensor images) {
        c.eval();
        try (NoGrad g = NoGrad.enter()) {
            return argmax(c.forward(images));
        }
    }

    /** Accuracy of {@code c} on {@code ds} (resized to 32x32); NaN for an empty set. */
    public static double accuracy(Classifier c, ImageDataset ds, int batchSize) {
        return accuracy(confusion(c, ds, batchSize));
    }

    /** Accuracy from a confusion matrix: its trace over its total (NaN when it counts nothing). */
    public static double accuracy(int[][] confusion) {
        long correct = 0, total = 0;
        for (int t = 0; t < confusion.length; t++) {
            correct += confusion[t][t];
            for (int v : confusion[t]) total += v;
        }
        return total == 0 ? Double.NaN : (double) correct / total;
    }

    /**
     * Confusion matrix of {@code c} on {@code ds} (evaluation mode, no gradients): {@code m[true
     * class][predicted class]} counts images.
     */
    public static int[][] confusion(Classifier c, ImageDataset ds, int batchSize) {
        int k = ds.numClasses();
        int[][] m = new int[k][k];
        c.eval();
        Workspace ws = new Workspace();
        try (DataLoader l = Training.evalLoader(ds, batchSize);
                NoGrad g = NoGrad.enter()) {
            for (Batch b : l.epoch(0)) {
                try (Workspace.Scope s = ws.open()) {
                    int[] p = argmax(c.forward(b.images()));
                    for (int i = 0; i < p.length; i++) m[b.labels()[i]][p[i]]++;
                }
            }
        }
        return m;
    }

    /**
     * Reconstructions of a whole dataset.
     *
     * @param images the reconstructions as 8-bit images (32x32), with the original labels
     * @param mse mean squared error between the float reconstructions and the 32x32 inputs
     */
    public record Reconstruction(ImageDataset images, double mse) {}

    /**
     * Reconstructs every image of {@code ds} with {@code model} (in evaluation mode, no gradients).
     * The MSE is computed on the float outputs; the returned images are rounded to 8 bits.
     */
    public static Reconstruction reconstruct(
            String name, Module model, ImageDataset ds, int batchSize) {
        model.eval();
        return reconstruct(name, model::forward, ds, batchSize);
    }

    /**
     * Like {@link #reconstruct(String, Module, ImageDataset, int)} for any function; the caller
     * puts the models it uses in evaluation mode.
     */
    public static Reconstruction reconstruct(
            String name, UnaryOperator<Tensor> f, ImageDataset ds, int batchSize) {
        int C = ds.channels(), S = Classifier.INPUT, per = C * S * S;
        byte[] px = new byte[Math.multiplyExact(ds.size(), per)];
        double se = 0;
        Workspace ws = new Workspace();
        try (DataLoader l = Training.evalLoader(ds, batchSize);
                NoGrad g = NoGrad.enter()) {
            for (Batch b : l.epoch(0)) {
                try (Workspace.Scope s = ws.open()) {
                    Tensor rec = f.apply(b.images()).dense();
                    float[] r = rec.data(), x = b.images().data();
                    for (int k = 0; k < b.size(); k++) {
                        int base = b.indices()[k] * per;
                        for (int p = 0; p < per; p++) {
                            float v = r[k * per + p];
                            double d = v - x[k * per + p];
                            se += d * d;
                            px[base + p] = (byte) Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
                        }
                    }
                }
            }
        }
        ImageDataset out =
                new ImageDataset(name, ds.size(), C, S, S, px, ds.labels(), ds.classNames());
        return new Reconstruction(out, se / ((double) ds.size() * per));
    }
}
