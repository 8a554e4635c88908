package org.cladec.datasets;

import java.io.InputStream;
import java.nio.file.Path;

/**
 * The embedded default: the official Fashion-MNIST test set (10,000 images, 4.4 MB gzipped, MIT
 * licence beside it) packaged as class-path resources, so the demo runs with nothing installed. It
 * is split deterministically and per class: of each class's images, in file order, the first 80%
 * train and the rest test (8,000 / 2,000, balanced).
 */
public final class EmbeddedFashionMnist {
    private EmbeddedFashionMnist() {}

    static final String DIR = "/org/cladec/datasets/fashion-mnist/";
    static final String IMAGES = "t10k-images-idx3-ubyte.gz", LABELS = "t10k-labels-idx1-ubyte.gz";

    /** Fraction of each class that goes to the training part. */
    public static final double TRAIN_FRACTION = 0.8;

    /** Loads and splits the embedded images. */
    public static Splits load() throws DatasetException {
        IdxFormat.Images im;
        int[] labels;
        try (RawInput in = resource(IMAGES)) {
            im = IdxFormat.readImages(in);
        }
        try (RawInput in = resource(LABELS)) {
            labels = IdxFormat.readLabels(in, 10);
        }
        if (labels.length != im.count()) {
            throw new DatasetException(
                    Path.of("classpath:" + DIR + LABELS),
                    labels.length + " labels for " + im.count() + " images");
        }
        ImageDataset all =
                new ImageDataset(
                        "Fashion-MNIST (embedded)",
                        im.count(),
                        1,
                        im.rows(),
                        im.cols(),
                        im.pixels(),
                        labels,
                        KnownDatasets.FASHION_MNIST);
        int[][] parts = stratifiedSplit(labels, 10, TRAIN_FRACTION);
        return new Splits(
                all.subset("Fashion-MNIST (embedded) train", parts[0]),
                all.subset("Fashion-MNIST (embedded) test", parts[1]),
                "embedded default (official Fashion-MNIST test set, 10,000 images, split 80/20 per class)");
    }

    private static RawInput resource(String name) throws DatasetException {
        Path label = Path.of("classpath:" + DIR + name);
        InputStream in = EmbeddedFashionMnist.class.getResourceAsStream(DIR + name);
        if (in == null)
            throw new DatasetException(
                    label, "resource missing from the class path (is the datasets jar complete?)");
        return RawInput.open(label, in, -1);
    }

    /**
     * Indices split per class in order: the first {@code fraction} of each class's occurrences go
     * to part 0, the rest to part 1; both parts keep the original order.
     */
    public static int[][] stratifiedSplit(int[] labels, int numClasses, double fraction) {
        int[] total = new int[numClasses];
        for (int l : labels) total[l]++;
        int[] seen = new int[numClasses];
        int nTrain = 0;
        for (int c = 0; c < numClasses; c++) nTrain += (int) Math.round(total[c] * fraction);
        int[] train = new int[nTrain], test = new int[labels.length - nTrain];
        int a = 0, b = 0;
        for (int i = 0; i < labels.length; i++) {
            int c = labels[i];
            if (seen[c]++ < Math.round(total[c] * fraction)) train[a++] = i;
            else test[b++] = i;
        }
        return new int[][] {train, test};
    }
}
