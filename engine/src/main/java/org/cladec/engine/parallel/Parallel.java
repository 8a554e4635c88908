package org.cladec.engine.parallel;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one process-wide thread pool. Its size comes from {@link #setThreads(int)} (the CLI's {@code
 * --threads}), else {@code -Dengine.threads}, else the number of available processors, and is fixed
 * at first use. Ops split work into contiguous ranges that write disjoint outputs, each computed
 * the same way whatever the range, so a job may be cut anywhere: the pool cuts it in proportion to
 * the threads' measured speeds ({@code Pool.logSpeed}). Kernels never call this class, so nothing
 * nests.
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
     * chunks, equal (the remainder going to the last) or in proportion to the threads' measured
     * speeds where those differ; the caller runs the first chunk itself. Returns when all are done
     * and rethrows the first failure. Values computed by {@code task} must not depend on where the
     * chunks meet.
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

    /**
     * Fixes every worker's speed relative to the caller's at {@code relative} (1 = equal chunks),
     * instead of learning it; null learns again from equal speeds. For tests that check results do
     * not depend on where chunk boundaries fall.
     */
    static void fixSpeeds(Double relative) {
        Pool p = pool();
        p.fixed = relative != null;
        double x = relative == null ? 0 : Math.log(relative);
        for (int i = 1; i < p.threads; i++)
            p.logSpeed[i] = Math.max(-Pool.MAX_LOG_SPEED, Math.min(Pool.MAX_LOG_SPEED, x));
    }

    /** The bounds the pool would give {@code chunks} chunks of n items now (tests). */
    static int[] boundsFor(int n, int chunks, int grain, boolean adapt) {
        Pool p = pool();
        p.lock.lock(); // no job is using the bounds meanwhile
        try {
            p.bound(n, chunks, grain, adapt);
            return Arrays.copyOf(p.bounds, chunks + 1);
        } finally {
            p.lock.unlock();
        }
    }

    /** Like {@link #forRange(int, RangeTask)}, with chunks of at least {@code minChunk} items. */
    public static void forRange(int n, int minChunk, RangeTask task) {
        pool().forRange(n, minChunk, task);
    }

    /**
     * Like {@link #forRange(int, RangeTask)}, with every boundary between chunks a multiple of
     * {@code grain} items where one fits: for kernels that work in groups of items, which a
     * boundary elsewhere would leave partial (pixel products take images 64 at a time), or whose
     * sums a boundary elsewhere would order differently (see {@code ConvKernels.imageGrain}).
     */
    public static void forAligned(int n, int grain, RangeTask task) {
        pool().forRange(n, 1, Integer.MAX_VALUE, Math.max(1, grain), true, task);
    }

    /**
     * Like {@link #forAligned}, but no boundary ever falls off a multiple of {@code grain}: every
     * chunk holds at least {@code grain} items, so the pool's aligned bounds always fit and {@code
     * n < 2 * grain} runs as one part. For kernels whose values depend on where a part starts.
     */
    public static void forGroups(int n, int grain, RangeTask task) {
        int g = Math.max(1, grain);
        pool().forRange(n, g, Integer.MAX_VALUE, g, true, task);
    }

    /**
     * Like {@link #forRange(int, RangeTask)} with equal chunks whatever the threads' speeds: for
     * parts that keep per-thread state keyed by their range from call to call (the weights a frozen
     * network's dense form and pixel products keep per channel range), which a moving boundary
     * would rebuild on every call.
     */
    public static void forEqual(int n, RangeTask task) {
        pool().forRange(n, 1, Integer.MAX_VALUE, 1, false, task);
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
        int chunks, block;

        Pool(int threads) {
            this.threads = threads;
            this.logSpeed = new double[threads];
            this.bounds = new int[threads + 1];
            this.busy = new long[threads];
            this.workers = new Worker[threads - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(i + 1);
                workers[i].start();
            }
        }

        void forRange(int n, int minChunk, RangeTask task) {
            forRange(n, minChunk, Integer.MAX_VALUE, 1, true, task);
        }

        void forRange(int n, int minChunk, int block, RangeTask task) {
            forRange(n, minChunk, block, 1, true, task);
        }

        /**
         * Chunks of at least {@code minChunk} items, each handed to task in blocks of {@code
         * block}.
         */
        void forRange(int n, int minChunk, int block, int grain, boolean adapt, RangeTask task) {
            if (n <= 0) return;
            int chunks = Math.min(threads, Math.max(1, n / Math.max(1, minChunk)));
            if (chunks == 1 || lock.isHeldByCurrentThread() || !lock.tryLock()) {
                inBlocks(task, 0, n, block); // one chunk, nested, on a worker, or pool busy: inline
                return;
            }
            try {
                run(n, chunks, block, grain, adapt, task);
            } finally {
                lock.unlock();
            }
        }

        /** Runs a job on the lock holder and {@code chunks - 1} workers. */
        private void run(int n, int chunks, int block, int grain, boolean adapt, RangeTask task) {
            this.task = task;
            this.chunks = chunks;
            this.block = block;
            bound(n, chunks, grain, adapt);
            failure.set(null);
            pending.set(chunks - 1);
            for (int i = 1; i < chunks; i++) workers[i - 1].hand();
            long start = System.nanoTime();
            runChunk(0);
            long own = System.nanoTime() - start;
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
            learn(own);
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
            try {
                inBlocks(task, bounds[i], bounds[i + 1], block);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }

        /**
         * Each thread's speed relative to the caller's (items per second in its chunks against the
         * caller's in the same job), as logarithms averaged over recent jobs; the caller's is 0. On
         * this project's virtual machines one vCPU ran 20-25% slower than the other for tens of
         * seconds at a time (a neighbour on its core, presumably), and with equal chunks the faster
         * thread waited for the slower in every job: 15-18 ms of a 75 ms classifier step.
         */
        private final double[] logSpeed;

        /** Chunk i is items [bounds[i], bounds[i + 1]) of the current job. */
        private final int[] bounds;

        /** The busy time of each chunk of the current job, ns (the caller's in {@link #run}). */
        private final long[] busy;

        /** Jobs shorter than this say too little about the threads' speeds to learn from. */
        static final long LEARN_NANOS = 50_000;

        /**
         * Speeds within this (as a logarithm, about 4%) of the caller's count as equal: the chunks
         * stay equal, so measurement noise does not move the boundaries of a balanced machine.
         */
        static final double EQUAL = 0.04;

        /** The most a chunk is scaled by (a logarithm: 0.6 to 1.65 of an equal chunk). */
        static final double MAX_LOG_SPEED = 0.5;

        /**
         * Bounds of {@code chunks} chunks of {@code [0, n)}: in proportion to the threads' speeds,
         * or equal where the speeds are or {@code adapt} is false; each inner boundary on a
         * multiple of {@code grain} where that leaves no chunk empty. A proportional cut that
         * cannot be aligned is dropped for the equal one; an equal cut that cannot be aligned stays
         * where it is (64 images on two threads with a grain of 64 split 32 / 32).
         */
        void bound(int n, int chunks, int grain, boolean adapt) {
            bounds[0] = 0;
            bounds[chunks] = n;
            boolean equal = true;
            for (int i = 1; i < chunks; i++) equal &= Math.abs(logSpeed[i]) < EQUAL;
            if (adapt && !equal) {
                double total = 0, cum = 0;
                for (int i = 0; i < chunks; i++) total += Math.exp(logSpeed[i]);
                for (int i = 1; i < chunks; i++) {
                    cum += Math.exp(logSpeed[i - 1]);
                    bounds[i] = (int) Math.round(n * cum / total);
                }
                if (align(n, chunks, grain)) return;
            }
            int base = n / chunks;
            for (int i = 1; i < chunks; i++) bounds[i] = i * base;
            if (grain > 1) align(n, chunks, grain);
        }

        /**
         * Rounds the inner bounds to multiples of grain; false, the bounds untouched, where that
         * would leave a chunk empty.
         */
        private boolean align(int n, int chunks, int grain) {
            for (int i = 1, prev = 0; i < chunks; i++) {
                int b = rounded(bounds[i], grain);
                if (b <= prev || b >= n) return false;
                prev = b;
            }
            for (int i = 1; i < chunks; i++) bounds[i] = rounded(bounds[i], grain);
            return true;
        }

        private static int rounded(int b, int grain) {
            return (int) Math.round(b / (double) grain) * grain;
        }

        /** Speeds set by {@link Parallel#fixSpeeds}: not learned. */
        volatile boolean fixed;

        /** Updates {@link #logSpeed} from the job just run, the caller having been busy own ns. */
        private void learn(long own) {
            if (fixed) return;
            int ownItems = bounds[1] - bounds[0];
            if (own < LEARN_NANOS || ownItems == 0) return;
            double ownRate = ownItems / (double) own;
            for (int i = 1; i < chunks; i++) {
                long t = busy[i];
                int items = bounds[i + 1] - bounds[i];
                if (t < LEARN_NANOS || items == 0) continue;
                double x = Math.log(items / (double) t / ownRate);
                x = Math.max(-MAX_LOG_SPEED, Math.min(MAX_LOG_SPEED, x));
                logSpeed[i] += 0.1 * (x - logSpeed[i]);
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
                    long start = System.nanoTime();
                    runChunk(chunk);
                    busy[chunk] = System.nanoTime() - start; // published by the decrement below
                    if (pending.decrementAndGet() == 0) {
                        Thread w = waiter;
                        if (w != null) LockSupport.unpark(w);
                    }
                }
            }
        }
    }
}
