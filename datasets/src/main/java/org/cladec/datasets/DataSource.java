package org.cladec.datasets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Finds the data: {@code --data DIR} (or the API equivalent); else the environment variable {@code
 * CLADEC_DATA}; else Debian's package {@code dataset-fashion-mnist} at {@value #DEBIAN_DIR}; else
 * the embedded default. {@link Splits#source()} says which one was used. A location that is named
 * (by the flag or the variable) but missing or broken is an error, never a silent fallback.
 */
public final class DataSource {
    private DataSource() {}

    public static final String DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";
    public static final String ENV = "CLADEC_DATA";

    /** The formats a data folder may hold. */
    public enum Kind {
        AUTO,
        FASHION_MNIST,
        MNIST,
        CIFAR10,
        CIFAR100,
        CIFAR100_COARSE,
        FOLDER;

        /** Parses names such as {@code fashion-mnist}, {@code cifar100-coarse}, {@code folder}. */
        public static Kind parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "unknown dataset '"
                                + s
                                + "'; expected one of auto, fashion-mnist, mnist, cifar10, cifar100, cifar100-coarse, folder");
            }
        }
    }

    /** Options for image folders (other formats have a fixed size). */
    public record FolderOptions(int size, int channels) {
        public static final FolderOptions DEFAULT = new FolderOptions(32, 0);
    }

    /** Runs the chain with the process environment and the Debian location. */
    public static Splits load(Path data, Kind kind, FolderOptions folder) throws DatasetException {
        return load(data, kind, folder, System.getenv(), Path.of(DEBIAN_DIR));
    }

    /** The chain with an explicit environment and Debian location (for tests). */
    public static Splits load(
            Path data, Kind kind, FolderOptions folder, Map<String, String> env, Path debianDir)
            throws DatasetException {
        if (data != null) return loadDir(data, kind, folder, "--data " + data);
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank())
            return loadDir(Path.of(fromEnv), kind, folder, ENV + "=" + fromEnv);
        if (IdxFormat.present(debianDir)) {
            return IdxFormat.loadDir(
                    debianDir,
                    "Fashion-MNIST",
                    KnownDatasets.FASHION_MNIST,
                    "Debian package dataset-fashion-mnist (" + debianDir + ")");
        }
        return EmbeddedFashionMnist.load();
    }

    /** Loads the data in {@code dir} as {@code kind} (AUTO: detect the format). */
    public static Splits loadDir(Path dir, Kind kind, FolderOptions folder, String how)
            throws DatasetException {
        if (!Files.exists(dir))
            throw new DatasetException(dir, "data folder not found (" + how + ")");
        if (!Files.isDirectory(dir)) throw new DatasetException(dir, "not a folder (" + how + ")");
        Kind k = kind == Kind.AUTO ? detect(dir) : kind;
        switch (k) {
            case FASHION_MNIST, MNIST -> {
                String name = k == Kind.MNIST ? "MNIST" : "Fashion-MNIST";
                return IdxFormat.loadDir(
                        dir,
                        name,
                        k == Kind.MNIST ? KnownDatasets.MNIST : KnownDatasets.FASHION_MNIST,
                        how + " (" + name + " IDX)");
            }
            case CIFAR10 -> {
                Path d = CifarFormat.findCifar10(dir);
                if (d == null)
                    throw new DatasetException(
                            dir,
                            "no CIFAR-10 binary files (data_batch_1.bin .. data_batch_5.bin, test_batch.bin)");
                return CifarFormat.loadCifar10(d, how + " (CIFAR-10)");
            }
            case CIFAR100, CIFAR100_COARSE -> {
                Path d = CifarFormat.findCifar100(dir);
                if (d == null)
                    throw new DatasetException(
                            dir, "no CIFAR-100 binary files (train.bin, test.bin)");
                boolean coarse = k == Kind.CIFAR100_COARSE;
                return CifarFormat.loadCifar100(
                        d,
                        coarse ? CifarFormat.Labels.COARSE : CifarFormat.Labels.FINE,
                        how
                                + (coarse
                                        ? " (CIFAR-100, coarse labels)"
                                        : " (CIFAR-100, fine labels)"));
            }
            case FOLDER -> {
                return ImageFolderFormat.load(
                        dir, folder.size(), folder.channels(), how + " (image folder)");
            }
            default -> throw new IllegalStateException("unreachable: " + k);
        }
    }

    /** Detects the format of {@code dir}. */
    static Kind detect(Path dir) throws DatasetException {
        if (IdxFormat.present(dir)) {
            String p = dir.toAbsolutePath().toString().toLowerCase(Locale.ROOT);
            return p.contains("fashion") || !p.contains("mnist") ? Kind.FASHION_MNIST : Kind.MNIST;
        }
        if (CifarFormat.findCifar10(dir) != null) return Kind.CIFAR10;
        if (CifarFormat.findCifar100(dir) != null) return Kind.CIFAR100;
        if (ImageFolderFormat.looksLike(dir)) return Kind.FOLDER;
        throw new DatasetException(
                dir,
                "no dataset found; looked for "
                        + String.join(
                                ", ",
                                List.of(
                                        "IDX files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-...)",
                                        "CIFAR-10 (data_batch_1.bin .. test_batch.bin)",
                                        "CIFAR-100 (train.bin, test.bin)",
                                        "an image folder (one sub-folder per class)")));
    }
}
