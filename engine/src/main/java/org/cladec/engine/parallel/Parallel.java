package org.cladec.engine.parallel;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one process-wide thread pool. Its size comes from {@link #setThreads(int)} (the CLI's {@code
 * --threads}), else {@code -Dengine.threads}, else the number of available processors, and is fixed
 * at first use. Ops split work into contiguous ranges that write disjoint outputs; kernels never
 * call this class, so nothing nests.
 */
public final class Parallel {
    /** Work on the half-open range {@code [lo, hi)}. */
    @FunctionalInterface
    public interface RangeTask {
        void run(int lo, int hi);
    }

    /**
     * The smallest range worth a task of its own for work that streams through arrays (activations,
     * optimizer updates): 32K floats take about as long as handing a task to a parked worker.
     */
    public static final int MIN_ELEMENTS = 1 << 15;

    private static int requested = -1;
    private static volatile Pool pool;

    private Parallel() {}

    /** Sets the pool size; allowed before first use, or again with the same value. */
    public static synchronized void setThreads(int threads) {
        if (threads < 1)
            throw new IllegalArgumentException("threads must be >= 1, but got " + threads);
        if (pool != null && pool.threads != threads) {
            throw new IllegalStateException(
                    "the thread pool already started with "
                            + pool.threads
                            + " threads; cannot change to "
                            + threads);
        }
        requested = threads;
    }

    /** The pool size (starting the pool if needed). */
    public static int threads() {
        return pool().threads;
    }

    private static Pool pool() {
        Pool p = pool;
        if (p == null) {
            synchronized (Parallel.class) {
                if (pool == null) pool = new Pool(resolveThreads());
                p = pool;
            }
        }
        return p;
    }

    private static int resolveThreads() {
        if (requested > 0) return requested;
        String prop = System.getProperty("engine.threads");
        if (prop != null) {
            try {
                int t = Integer.parseInt(prop.trim());
                if (t >= 1) return t;
            } catch (NumberFormatException ignored) {
                // fall through to the error below
            }
            throw new IllegalArgumentException(
                    "-Dengine.threads: expected a positive integer, but got '" + prop + "'");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * Runs {@code task} over {@code [0, n)} split into at most {@link #threads()} contiguous
     * chunks, the remainder going to the last; the caller runs the first chunk itself. Returns when
     * all are done and rethrows the first failure.
     */
    public static void forRange(int n, RangeTask task) {
        forRange(n, 1, task);
    }

    /** Like {@link #forRange(int, RangeTask)}, with chunks of at least {@code minChunk} items. */
    public static void forRange(int n, int minChunk, RangeTask task) {
        if (n <= 0) return;
        Pool p = pool();
        int chunks = Math.min(p.threads, Math.max(1, n / Math.max(1, minChunk)));
        if (chunks == 1 || Thread.currentThread().getThreadGroup() == p.group) {
            task.run(0, n); // one chunk, or already on a worker: run inline
            return;
        }
        int base = n / chunks;
        CountDownLatch done = new CountDownLatch(chunks - 1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 1; i < chunks; i++) {
            int lo = i * base, hi = i == chunks - 1 ? n : lo + base;
            p.executor.execute(
                    () -> {
                        try {
                            task.run(lo, hi);
                        } catch (Throwable t) {
                            failure.compareAndSet(null, t);
                        } finally {
                            done.countDown();
                        }
                    });
        }
        try {
            task.run(0, base);
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for parallel work", e);
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) throw re;
        if (t instanceof Error err) throw err;
        if (t != null) throw new IllegalStateException(t);
    }

    private static final class Pool {
        final int threads;
        final ThreadGroup group = new ThreadGroup("engine");
        final ExecutorService executor;

        Pool(int threads) {
            this.threads = threads;
            int[] id = {0};
            this.executor =
                    Executors.newFixedThreadPool(
                            Math.max(1, threads - 1),
                            r -> {
                                Thread t = new Thread(group, r, "engine-" + (++id[0]));
                                t.setDaemon(true);
                                return t;
                            });
        }
    }
}
