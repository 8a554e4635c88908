package org.cladec.datasets;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A dataset file or folder that is missing, unreadable or malformed. The message names the file and
 * what was wrong with it, e.g. {@code train-images-idx3-ubyte.gz: header claims 60000 images of
 * 28x28 (47040000 bytes) but the data ends after 1000 bytes}. Readers throw it before caching
 * anything, so a failed load leaves nothing half-read behind.
 */
public class DatasetException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    /** A problem with {@code file}, described by {@code problem}. */
    public DatasetException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    /** A problem with {@code file} caused by {@code cause}. */
    public DatasetException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file or folder the problem is about. */
    public Path file() {
        return file;
    }
}
