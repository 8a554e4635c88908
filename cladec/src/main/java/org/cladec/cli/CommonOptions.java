package org.cladec.cli;

import java.nio.file.Path;
import org.cladec.engine.parallel.Parallel;
import picocli.CommandLine.Option;

/**
 * Options every command that computes shares. Unset options keep the preset's (or the run's)
 * values.
 */
public final class CommonOptions {
    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "Threads for the engine (default: -Dengine.threads, else all cores).")
    Integer threads;

    @Option(
            names = "--seed",
            paramLabel = "S",
            description = "Seed for every random choice (default: 1, or the run's).")
    Long seed;

    @Option(names = "--batch-size", paramLabel = "B", description = "Images per training step.")
    Integer batchSize;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description =
                    "Data folder (IDX, CIFAR binary or an image folder). Default: $CLADEC_DATA, else "
                            + "/usr/share/datasets/fashion-mnist, else the embedded Fashion-MNIST subset.")
    Path data;

    @Option(
            names = "--dataset",
            paramLabel = "KIND",
            description =
                    "Format of --data: auto (default), fashion-mnist, mnist, cifar10, cifar100, cifar100-coarse, folder.")
    String dataset;

    /** The seed to start a preset from. */
    long seedOr(long fallback) {
        return seed != null ? seed : fallback;
    }

    /**
     * Fixes the thread pool size (before any computation) and returns it: --threads, else the
     * engine's own default ({@code -Dengine.threads}, else every core).
     */
    int applyThreads() {
        return threads == null ? Parallel.threads() : fixThreads(threads);
    }

    /**
     * Like {@link #applyThreads()}, with {@code fallback} when --threads is not given (a resumed
     * run's count).
     */
    int applyThreads(int fallback) {
        return fixThreads(threads == null ? fallback : threads);
    }

    private static int fixThreads(int t) {
        atLeast("--threads", t, 1, "");
        Parallel.setThreads(t);
        return t;
    }

    /**
     * Refuses a count option under {@code min}, naming the option and the value; {@code why}
     * (empty, or starting with a space) says why the minimum.
     */
    static void atLeast(String option, int value, int min, String why) {
        if (value < min)
            throw new IllegalArgumentException(
                    option + " must be >= " + min + why + ", but got " + value);
    }
}
