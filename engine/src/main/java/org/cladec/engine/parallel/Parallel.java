package org.cladec.engine.parallel;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

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

    /**
     * Items per call of {@link #forBlocks}' task. NOTE: the JIT compiles a method fully (C2, where
     * the Vector API becomes vector instructions) once it has been called often enough. A kernel
     * called once per op and thread per step over up to millions of elements stays in its slow,
     * unintrinsified early form for many steps (JFR: the Adam update was 10% of a ClaDec step in
     * {@code cladec bench} for its first ~30 steps). Blocks of 4096 make it hot within the first
     * steps.
     */
    public static final int BLOCK = 4096;

    /**
     * Element-wise work over {@code [0, n)}: split like {@code forRange(n, MIN_ELEMENTS, ·)}, each
     * chunk handed to {@code task} in blocks of at most {@link #BLOCK}. For kernels whose result
     * does not depend on where a range starts.
     */
    public static void forBlocks(int n, RangeTask task) {
        pool().forRange(n, MIN_ELEMENTS, BLOCK, task);
    }

    /** {@code a[0, n) = 0}, split over the pool (gradient buffers of many megabytes per step). */
    public static void zero(float[] a, int n) {
        if (n < 2 * MIN_ELEMENTS) Arrays.fill(a, 0, n, 0f); // one chunk: no task to build
        else forBlocks(n, (lo, hi) -> Arrays.fill(a, lo, hi, 0f));
    }

    /**
     * Runs {@code work} with every split inside it done inline on the calling thread, as with a
     * pool of one thread (other callers meanwhile run theirs inline too, as when the pool is busy).
     * For measuring one thread against the pool in one JVM, seconds apart ({@code cladec bench
     * --scaling}): on a shared machine two separate runs can land in different slow spells.
     */
    public static void serially(Runnable work) {
        Pool p = pool();
        p.lock.lock(); // a split by the lock holder runs inline (Pool.forRange)
        try {
            work.run();
        } finally {
            p.lock.unlock();
        }
    }

    /** Like {@link #forRange(int, RangeTask)}, with chunks of at least {@code minChunk} items. */
    public static void forRange(int n, int minChunk, RangeTask task) {
        pool().forRange(n, minChunk, task);
    }

    /**
     * The caller and {@code threads - 1} workers. Worker {@code i} runs chunk {@code i} of each job
     * it is handed; the caller runs chunk 0. Idle threads spin for {@link #SPIN_NANOS} before they
     * park: ops come microseconds apart, and on this project's virtual machines waking a parked
     * thread took 0.2-0.3 ms (the worker started that late into every split, about 5% of a training
     * step), while a spinning one starts at once.
     */
    static final class Pool {
        /** How long an idle thread spins before it parks; longer than the gaps between ops. */
        static final long SPIN_NANOS = 200_000;

        final int threads;
        final ReentrantLock lock = new ReentrantLock(); // one job at a time
        final Worker[] workers;
        final AtomicInteger pending = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile Thread waiter; // the caller, while parked until the workers finish

        // the current job; each worker's volatile ticket write publishes it to that worker
        RangeTask task;
        int n, chunks, block;

        Pool(int threads) {
            this.threads = threads;
            this.workers = new Worker[threads - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(i + 1);
                workers[i].start();
            }
        }

        void forRange(int n, int minChunk, RangeTask task) {
            forRange(n, minChunk, Integer.MAX_VALUE, task);
        }

        /**
         * Chunks of at least {@code minChunk} items, each handed to task in blocks of {@code
         * block}.
         */
        void forRange(int n, int minChunk, int block, RangeTask task) {
            if (n <= 0) return;
            int chunks = Math.min(threads, Math.max(1, n / Math.max(1, minChunk)));
            if (chunks == 1 || lock.isHeldByCurrentThread() || !lock.tryLock()) {
                inBlocks(task, 0, n, block); // one chunk, nested, on a worker, or pool busy: inline
                return;
            }
            try {
                run(n, chunks, block, task);
            } finally {
                lock.unlock();
            }
        }

        /** Runs a job on the lock holder and {@code chunks - 1} workers. */
        private void run(int n, int chunks, int block, RangeTask task) {
            this.task = task;
            this.n = n;
            this.chunks = chunks;
            this.block = block;
            failure.set(null);
            pending.set(chunks - 1);
            for (int i = 1; i < chunks; i++) workers[i - 1].hand();
            runChunk(0);
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (pending.get() != 0) {
                if (System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                    continue;
                }
                waiter = Thread.currentThread();
                if (pending.get() != 0) LockSupport.park(this);
                waiter = null;
            }
            this.task = null;
            Throwable t = failure.get();
            if (t instanceof RuntimeException re) throw re;
            if (t instanceof Error err) throw err;
            if (t != null) throw new IllegalStateException(t);
        }

        private static void inBlocks(RangeTask task, int lo, int hi, int block) {
            for (int a = lo; a < hi; ) {
                int b = hi - a > block ? a + block : hi; // no overflow for block = MAX_VALUE
                task.run(a, b);
                a = b;
            }
        }

        void runChunk(int i) {
            int base = n / chunks, lo = i * base, hi = i == chunks - 1 ? n : lo + base;
            try {
                inBlocks(task, lo, hi, block);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }

        final class Worker extends Thread {
            final int chunk;
            volatile int ticket; // bumped by the lock holder for each job handed to this worker
            volatile boolean parked;
            int done; // tickets served

            Worker(int chunk) {
                super("engine-" + chunk);
                this.chunk = chunk;
                setDaemon(true);
            }

            void hand() {
                ticket++; // only the lock holder writes it
                if (parked) LockSupport.unpark(this);
            }

            @Override
            public void run() {
                while (true) {
                    long deadline = System.nanoTime() + SPIN_NANOS;
                    while (ticket == done) {
                        if (System.nanoTime() < deadline) {
                            Thread.onSpinWait();
                            continue;
                        }
                        parked = true;
                        if (ticket == done) LockSupport.park(this);
                        parked = false;
                    }
                    done++;
                    runChunk(chunk);
                    if (pending.decrementAndGet() == 0) {
                        Thread w = waiter;
                        if (w != null) LockSupport.unpark(w);
                    }
                }
            }
        }
    }
}
