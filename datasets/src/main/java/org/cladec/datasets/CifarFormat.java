package org.cladec.datasets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary versions of CIFAR-10 and CIFAR-100 (https://www.cs.toronto.edu/~kriz/cifar.html).
 * CIFAR-10: {@code data_batch_1.bin .. data_batch_5.bin} and {@code test_batch.bin}, records of one
 * label byte and 3072 pixel bytes (1024 red, 1024 green, 1024 blue, each 32x32 row-major, i.e.
 * CHW). CIFAR-100: {@code train.bin} and {@code test.bin}, records of a coarse label byte, a fine
 * label byte and the same 3072 pixels. Class names come from {@code batches.meta.txt} or {@code
 * fine_label_names.txt}/{@code coarse_label_names.txt} when present.
 */
public final class CifarFormat {
    private CifarFormat() {}

    static final int PIXELS = 3 * 32 * 32;
    private static final long MAX_FILE = 1L << 30;

    /** Which CIFAR-100 label to use. */
    public enum Labels {
        FINE,
        COARSE
    }

    /**
     * Reads one CIFAR file of records with {@code labelBytes} leading label bytes, using label byte
     * {@code labelIndex}, each label below {@code numClasses}.
     */
    static ImageDataset readFile(
            Path file, String name, int labelBytes, int labelIndex, List<String> classNames)
            throws DatasetException {
        int record = labelBytes + PIXELS;
        byte[] all;
        try (RawInput in = RawInput.open(file)) {
            if (!in.isGzip() && in.fileLength() % record != 0) {
                throw new DatasetException(
                        file,
                        "size "
                                + in.fileLength()
                                + " bytes is not a whole number of "
                                + record
                                + "-byte records"
                                + " ("
                                + labelBytes
                                + " label byte"
                                + (labelBytes > 1 ? "s" : "")
                                + " + 3072 pixels)");
            }
            all = in.readToEnd(MAX_FILE, "CIFAR data");
        }
        if (all.length % record != 0) {
            throw new DatasetException(
                    file,
                    "data size "
                            + all.length
                            + " bytes is not a whole number of "
                            + record
                            + "-byte records");
        }
        if (all.length == 0) throw new DatasetException(file, "empty file: no records");
        int n = all.length / record;
        byte[] px = new byte[n * PIXELS];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int l = all[i * record + labelIndex] & 0xFF;
            if (l >= classNames.size()) {
                throw new DatasetException(
                        file,
                        "label "
                                + l
                                + " of record "
                                + i
                                + " is outside [0, "
                                + classNames.size()
                                + ")");
            }
            labels[i] = l;
            System.arraycopy(all, i * record + labelBytes, px, i * PIXELS, PIXELS);
        }
        return new ImageDataset(name, n, 3, 32, 32, px, labels, classNames);
    }

    /** Concatenates datasets of the same image shape and classes. */
    static ImageDataset concat(String name, List<ImageDataset> parts) {
        int n = 0;
        for (ImageDataset d : parts) n += d.size();
        ImageDataset f = parts.get(0);
        byte[] px = new byte[Math.multiplyExact(n, f.imageSize())];
        int[] labels = new int[n];
        int k = 0;
        for (ImageDataset d : parts) {
            System.arraycopy(d.rawPixels(), 0, px, k * f.imageSize(), d.size() * f.imageSize());
            for (int i = 0; i < d.size(); i++, k++) labels[k] = d.label(i);
        }
        return new ImageDataset(
                name, n, f.channels(), f.height(), f.width(), px, labels, f.classNames());
    }

    /**
     * The folder holding the CIFAR-10 batches: {@code dir} or {@code dir/cifar-10-batches-bin}, or
     * null.
     */
    public static Path findCifar10(Path dir) {
        for (Path d : new Path[] {dir, dir.resolve("cifar-10-batches-bin")}) {
            if (Files.isRegularFile(d.resolve("data_batch_1.bin"))
                    && Files.isRegularFile(d.resolve("test_batch.bin"))) return d;
        }
        return null;
    }

    /** The folder holding CIFAR-100: {@code dir} or {@code dir/cifar-100-binary}, or null. */
    public static Path findCifar100(Path dir) {
        for (Path d : new Path[] {dir, dir.resolve("cifar-100-binary")}) {
            if (Files.isRegularFile(d.resolve("train.bin"))
                    && Files.isRegularFile(d.resolve("test.bin"))) return d;
        }
        return null;
    }

    /**
     * Loads CIFAR-10 from a folder found by {@link #findCifar10}: five training batches and the
     * test batch.
     */
    public static Splits loadCifar10(Path dir, String source) throws DatasetException {
        List<String> names = names(dir.resolve("batches.meta.txt"), KnownDatasets.CIFAR10);
        List<ImageDataset> train = new ArrayList<>();
        for (int b = 1; b <= 5; b++) {
            Path f = dir.resolve("data_batch_" + b + ".bin");
            if (!Files.isRegularFile(f))
                throw new DatasetException(
                        f, "file not found (CIFAR-10 has data_batch_1.bin .. data_batch_5.bin)");
            train.add(readFile(f, "CIFAR-10 train", 1, 0, names));
        }
        ImageDataset test = readFile(dir.resolve("test_batch.bin"), "CIFAR-10 test", 1, 0, names);
        return new Splits(concat("CIFAR-10 train", train), test, source);
    }

    /** Loads CIFAR-100 with fine (100 classes) or coarse (20 superclasses) labels. */
    public static Splits loadCifar100(Path dir, Labels which, String source)
            throws DatasetException {
        boolean fine = which == Labels.FINE;
        List<String> names =
                fine
                        ? names(dir.resolve("fine_label_names.txt"), KnownDatasets.generic(100))
                        : names(dir.resolve("coarse_label_names.txt"), KnownDatasets.generic(20));
        int idx = fine ? 1 : 0;
        return new Splits(
                readFile(dir.resolve("train.bin"), "CIFAR-100 train", 2, idx, names),
                readFile(dir.resolve("test.bin"), "CIFAR-100 test", 2, idx, names),
                source);
    }

    /**
     * Class names, one per non-blank line, or the fallback when the file is absent or the count
     * differs.
     */
    static List<String> names(Path file, List<String> fallback) throws DatasetException {
        if (!Files.isRegularFile(file)) return fallback;
        try {
            List<String> out = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8))
                if (!line.isBlank()) out.add(line.strip());
            if (out.size() != fallback.size()) {
                throw new DatasetException(
                        file, out.size() + " class names, expected " + fallback.size());
            }
            return out;
        } catch (IOException e) {
            if (e instanceof DatasetException de) throw de;
            throw new DatasetException(file, "cannot read class names: " + e.getMessage(), e);
        }
    }
}
