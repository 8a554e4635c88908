package org.cladec.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.kernels.simd.Peak;
import org.cladec.engine.parallel.Parallel;
import org.cladec.method.Reporter;
import org.cladec.method.Workloads;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "A quick throughput check: images/second of the four full-step workloads on the reference networks",
            "(after a warm-up of at least 3 steps and 3 seconds that also waits, up to 20 seconds, for the JIT",
            "to settle; then the median of several repeats, the workloads taking turns, one repeat each per round).",
            "Results go to standard output, progress to standard error. For careful numbers use the JMH",
            "benchmarks in bench/."
        })
final class BenchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "Threads (default: -Dengine.threads, else all cores).")
    Integer threads;

    @Option(
            names = "--steps",
            paramLabel = "N",
            defaultValue = "5",
            description = "Steps per repeat (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(
            names = "--repeats",
            paramLabel = "N",
            defaultValue = "9",
            description =
                    "Timed repeats (rounds); the median is printed (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(
            names = "--batch-size",
            paramLabel = "B",
            defaultValue = "128",
            description = "Images per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--width",
            paramLabel = "W",
            defaultValue = "1",
            description = "Classifier width multiplier (default: ${DEFAULT-VALUE}).")
    float width;

    @Option(
            names = "--only",
            paramLabel = "NAME",
            split = ",",
            description = "Run only these workloads.")
    String[] only;

    @Option(
            names = "--scaling",
            description = {
                "Also time one thread in the same run, its repeats alternating with the pool's, and print",
                "<name>_1thread (img/s) and <name>_scaling (the median of the pairs' speed-ups). Needs 2+ threads.",
                "Also <name>_independent: the speed-up of one copy of the workload per thread, run at once",
                "(networks and data of their own, no op split, a step each in step): what this machine gives",
                "the threads just then with nothing shared. First prints fma_scaling: that comparison on the",
                "FMA micro-kernel alone (a virtual machine's vCPUs may share a core or run at different speeds)."
            })
    boolean scaling;

    @Override
    public Integer call() {
        CommonOptions c = new CommonOptions();
        c.threads = threads;
        int t = c.applyThreads();
        CommonOptions.atLeast("--steps", steps, 1, "");
        CommonOptions.atLeast("--repeats", repeats, 1, "");
        CommonOptions.atLeast(
                "--batch-size", batch, 2, " (batch norm's statistics need two images)");
        if (scaling && t < 2)
            throw new IllegalArgumentException(
                    "--scaling compares one thread with the pool, so it needs --threads >= 2, but"
                            + " the pool has "
                            + t);
        String[] names = only != null ? only : Workloads.NAMES;
        for (String name : names) {
            try {
                Workloads.check(name);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--only: " + e.getMessage(), e);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        Workloads w = new Workloads(batch, 1, 10, width, 42);
        LongSupplier jit = Warmup.jitOfThisJvm();
        out.printf(
                Locale.ROOT,
                "# kernels %s, %d threads, batch %d, width %s, Java %s, huge pages %s%n",
                Kernels.active().name(),
                t,
                batch,
                width,
                System.getProperty("java.version"),
                HugePages.describe());
        if (scaling)
            out.printf(Locale.ROOT, "fma_scaling=%.2f%n", fmaScaling(t, Math.max(5, repeats)));
        int k = names.length;
        Runnable[] pooled = new Runnable[k], apart = new Runnable[k];
        // --scaling's copies: w and t - 1 more of the same seed, one per pool thread
        Workloads[] copies = new Workloads[scaling ? t : 0];
        for (int j = 0; j < copies.length; j++)
            copies[j] = j == 0 ? w : new Workloads(batch, 1, 10, width, 42);
        for (int i = 0; i < k; i++) {
            String name = names[i];
            pooled[i] = () -> w.step(name);
            apart[i] = () -> independently(copies, name);
        }
        double[][] rates = new double[k][repeats], one = new double[k][repeats];
        double[][] copiesRates = new double[k][repeats];
        // progress on standard error, so that the results alone go to standard output
        try (Reporter.Progress bar =
                Reporter.console(spec.commandLine().getErr())
                        .progress("bench", (long) k * (1 + repeats), "runs")) {
            for (int i = 0; i < k; i++) {
                bar.step(0, "warm-up " + names[i]);
                // warm-up: the JIT compiles a kernel fully (C2, where the Vector API turns into
                // vector instructions) only once it is hot, which for the rarely called ones
                // (optimizer updates, batch norm) took a few seconds; a fixed few steps measured
                // part of that, and the compiler thread's work after it (Warmup)
                Warmup warm = new Warmup(System.nanoTime(), Math.max(3, steps), jit);
                do {
                    pooled[i].run();
                    if (scaling) {
                        Parallel.serially(pooled[i]);
                        apart[i].run();
                    }
                } while (!warm.stepDone(System.nanoTime()));
                bar.step(1, null);
            }
            // the workloads take turns, one repeat each per round, after all the warm-ups: on a
            // shared machine a slow spell of tens of seconds then lands on a few repeats of every
            // workload, which the median drops, instead of on all the repeats of one; and none is
            // timed while the JIT still compiles for the next
            for (int r = 0; r < repeats; r++) {
                for (int i = 0; i < k; i++) {
                    bar.step(0, "round " + (r + 1) + " of " + repeats + ", " + names[i]);
                    Runnable p = pooled[i], alone = () -> Parallel.serially(p);
                    if (!scaling) {
                        rates[i][r] = rate(p);
                    } else {
                        // rotate which goes first, so a trend within the round cancels
                        for (int j = 0; j < 3; j++) {
                            switch ((r + j) % 3) {
                                case 0 -> rates[i][r] = rate(p);
                                case 1 -> one[i][r] = rate(alone);
                                default -> copiesRates[i][r] = t * rate(apart[i]);
                            }
                        }
                    }
                    bar.step(1, null);
                }
            }
        }
        for (int i = 0; i < k; i++) {
            out.printf(Locale.ROOT, "%s=%.1f img/s%n", names[i], median(rates[i]));
            if (scaling) {
                double[] speedups = new double[repeats];
                for (int r = 0; r < repeats; r++) speedups[r] = rates[i][r] / one[i][r];
                out.printf(Locale.ROOT, "%s_1thread=%.1f img/s%n", names[i], median(one[i]));
                out.printf(Locale.ROOT, "%s_scaling=%.2f%n", names[i], median(speedups));
                for (int r = 0; r < repeats; r++) speedups[r] = copiesRates[i][r] / one[i][r];
                out.printf(Locale.ROOT, "%s_independent=%.2f%n", names[i], median(speedups));
            }
        }
        return 0;
    }

    /**
     * One step of workload {@code name} on each copy at once, copy c on pool thread c, every split
     * inside a step done inline; returns when the slowest copy is done. What a step of the pool
     * needs (the threads start together and wait for each other) without anything the pool adds: no
     * split of an op, no data written by one thread and read by another. Where it reads under the
     * thread count, the machine's threads are slower together than alone (shared caches, memory,
     * power) or slower than each other (vCPUs of a shared host). Not a strict ceiling for the pool:
     * each copy reads all of its weights, where the pool's threads split the widest layers' weights
     * by output channels and read half each. Returns each copy's loss.
     */
    static float[] independently(Workloads[] copies, String name) {
        float[] losses = new float[copies.length];
        Parallel.forEqual(
                copies.length,
                (lo, hi) -> {
                    for (int c = lo; c < hi; c++) losses[c] = copies[c].step(name);
                });
        return losses;
    }

    /**
     * The pool's speed-up over one thread on the FMA micro-kernel alone (L1-resident, no memory
     * traffic, nothing shared): each pool thread runs what the one thread runs, so a machine with a
     * core per thread reads about the thread count. On this project's 2-vCPU virtual machine it
     * read 0.98-1.00 per thread in some minutes and 0.44-0.51 in others (both vCPUs on one core),
     * and the workloads' scalings fell with it.
     */
    static double fmaScaling(int threads, int pairs) {
        int kc = Peak.KC, reps = 20_000; // ~20 ms at 150 GFLOP/s
        float[][] a = new float[threads][Peak.MR * kc], b = new float[threads][kc * Peak.NR];
        float[][] c = new float[threads][Peak.MR * Peak.NR];
        Runnable one = () -> Peak.run(a[0], b[0], c[0], kc, reps);
        Runnable all =
                () ->
                        Parallel.forRange(
                                threads,
                                (lo, hi) -> {
                                    for (int i = lo; i < hi; i++)
                                        Peak.run(a[i], b[i], c[i], kc, reps);
                                });
        for (long end = System.nanoTime() + 500_000_000L; System.nanoTime() < end; ) {
            one.run();
            all.run();
        }
        double[] speedups = new double[pairs];
        for (int r = 0; r < pairs; r++) {
            double t1 = 0, tAll = 0;
            for (int i = 0; i < 2; i++) { // alternate which goes first
                if ((r + i) % 2 == 0) {
                    t1 += seconds(one);
                    tAll += seconds(all);
                } else {
                    tAll += seconds(all);
                    t1 += seconds(one);
                }
            }
            speedups[r] = threads * t1 / tAll;
        }
        return median(speedups);
    }

    private static double seconds(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Images per second over one repeat of {@code steps} steps. */
    private double rate(Runnable step) {
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) step.run();
        return (double) steps * batch / ((System.nanoTime() - t0) / 1e9);
    }

    /** The upper median (the middle value for the odd counts the default uses). */
    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
