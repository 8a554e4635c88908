package org.cladec.datasets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/), raw or gzipped. A
 * big-endian header: magic {@code 0x0000 TT DD} (TT the element type, 0x08 for unsigned bytes; DD
 * the number of dimensions), then DD 32-bit sizes, then the data. Images are {@code idx3-ubyte}
 * (count, rows, columns); labels are {@code idx1-ubyte} (count).
 */
public final class IdxFormat {
    private IdxFormat() {}

    /** Official file names of a split: {@code train} or {@code t10k}. */
    public static final String[] SPLITS = {"train", "t10k"};

    /** Grey images from an {@code idx3-ubyte} file. */
    public record Images(int count, int rows, int cols, byte[] pixels) {}

    /** Reads an {@code idx3-ubyte} image file (gzip or raw). */
    public static Images readImages(Path file) throws DatasetException {
        try (RawInput in = RawInput.open(file)) {
            return readImages(in);
        }
    }

    static Images readImages(RawInput in) throws DatasetException {
        Path file = in.file();
        byte[] head = in.readSmall(4, "IDX magic number");
        checkMagic(file, head, 3, "images (idx3-ubyte)");
        byte[] dims = in.readSmall(12, "IDX image header");
        int n = RawInput.intAt(dims, 0),
                rows = RawInput.intAt(dims, 4),
                cols = RawInput.intAt(dims, 8);
        if (n < 0 || rows <= 0 || cols <= 0) {
            throw new DatasetException(
                    file,
                    "invalid image header: count "
                            + n
                            + ", rows "
                            + rows
                            + ", columns "
                            + cols
                            + " (expected count >= 0 and positive sizes)");
        }
        long payload = (long) n * rows * cols;
        String claim = "header claims " + n + " images of " + rows + "x" + cols;
        byte[] px = in.readPayload(payload, claim);
        in.expectEnd("the " + n + " images the header declares");
        return new Images(n, rows, cols, px);
    }

    /**
     * Reads an {@code idx1-ubyte} label file (gzip or raw); every label must be below {@code
     * numClasses}.
     */
    public static int[] readLabels(Path file, int numClasses) throws DatasetException {
        try (RawInput in = RawInput.open(file)) {
            return readLabels(in, numClasses);
        }
    }

    static int[] readLabels(RawInput in, int numClasses) throws DatasetException {
        Path file = in.file();
        byte[] head = in.readSmall(4, "IDX magic number");
        checkMagic(file, head, 1, "labels (idx1-ubyte)");
        int n = RawInput.intAt(in.readSmall(4, "IDX label header"), 0);
        if (n < 0) throw new DatasetException(file, "invalid label header: count " + n);
        byte[] raw = in.readPayload(n, "header claims " + n + " labels");
        in.expectEnd("the " + n + " labels the header declares");
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = raw[i] & 0xFF;
            if (labels[i] >= numClasses) {
                throw new DatasetException(
                        file,
                        "label "
                                + labels[i]
                                + " at index "
                                + i
                                + " is outside [0, "
                                + numClasses
                                + ")");
            }
        }
        return labels;
    }

    private static void checkMagic(Path file, byte[] m, int dims, String what)
            throws DatasetException {
        if (m[0] != 0 || m[1] != 0) {
            throw new DatasetException(
                    file,
                    String.format(
                            "bad magic number 0x%02X%02X%02X%02X: not an IDX file (expected 0x0000080%d for %s)",
                            m[0], m[1], m[2], m[3], dims, what));
        }
        if (m[2] != 0x08) {
            throw new DatasetException(
                    file,
                    String.format(
                            "unsupported IDX element type 0x%02X (expected 0x08, unsigned bytes)",
                            m[2]));
        }
        if (m[3] != dims) {
            throw new DatasetException(
                    file,
                    "IDX file has " + m[3] + " dimensions, expected " + dims + " for " + what);
        }
    }

    /** {@code dir/<split>-images-idx3-ubyte[.gz]}, whichever exists (gzip first), or null. */
    public static Path find(Path dir, String split, String kind) {
        String base = split + "-" + kind + (kind.equals("images") ? "-idx3-ubyte" : "-idx1-ubyte");
        for (String name : new String[] {base + ".gz", base}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) return p;
        }
        return null;
    }

    /** True when {@code dir} holds the four official files (raw or gzipped). */
    public static boolean present(Path dir) {
        for (String s : SPLITS)
            if (find(dir, s, "images") == null || find(dir, s, "labels") == null) return false;
        return true;
    }

    /**
     * Loads one split from matching image and label files, checking that their counts agree.
     *
     * @param name the dataset's name for messages, e.g. "Fashion-MNIST train"
     */
    public static ImageDataset load(String name, Path images, Path labels, List<String> classNames)
            throws DatasetException {
        Images im = readImages(images);
        int[] lb = readLabels(labels, classNames.size());
        if (lb.length != im.count()) {
            throw new DatasetException(
                    labels,
                    lb.length
                            + " labels, but "
                            + images.getFileName()
                            + " holds "
                            + im.count()
                            + " images");
        }
        return new ImageDataset(
                name, im.count(), 1, im.rows(), im.cols(), im.pixels(), lb, classNames);
    }

    /** Loads both official splits from {@code dir}. */
    public static Splits loadDir(
            Path dir, String datasetName, List<String> classNames, String source)
            throws DatasetException {
        ImageDataset[] parts = new ImageDataset[2];
        for (int i = 0; i < 2; i++) {
            Path img = find(dir, SPLITS[i], "images"), lab = find(dir, SPLITS[i], "labels");
            if (img == null)
                throw new DatasetException(
                        dir.resolve(SPLITS[i] + "-images-idx3-ubyte.gz"),
                        "file not found (neither gzipped nor raw)");
            if (lab == null)
                throw new DatasetException(
                        dir.resolve(SPLITS[i] + "-labels-idx1-ubyte.gz"),
                        "file not found (neither gzipped nor raw)");
            parts[i] = load(datasetName + (i == 0 ? " train" : " test"), img, lab, classNames);
        }
        if (parts[0].height() != parts[1].height() || parts[0].width() != parts[1].width()) {
            throw new DatasetException(
                    dir,
                    "train images are "
                            + parts[0].height()
                            + "x"
                            + parts[0].width()
                            + " but test images are "
                            + parts[1].height()
                            + "x"
                            + parts[1].width());
        }
        return new Splits(parts[0], parts[1], source);
    }
}
