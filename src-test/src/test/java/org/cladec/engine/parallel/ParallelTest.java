package org.cladec.engine.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

// a lost wake-up would hang forever; the test thread itself would be the one stuck
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ParallelTest {
    @Test
    void everyIndexIsCoveredExactlyOnce() {
        for (int n : new int[] {1, 2, 3, 7, 128, 1001}) {
            AtomicIntegerArray seen = new AtomicIntegerArray(n);
            Parallel.forRange(
                    n,
                    (lo, hi) -> {
                        for (int i = lo; i < hi; i++) seen.incrementAndGet(i);
                    });
            for (int i = 0; i < n; i++) assertEquals(1, seen.get(i), "n=" + n + " index " + i);
        }
        Parallel.forRange(
                0,
                (lo, hi) -> {
                    throw new AssertionError("no work for n = 0");
                });
    }

    @Test
    void failuresOnWorkersReachTheCaller() {
        IllegalStateException e =
                assertThrows(
                        IllegalStateException.class,
                        () ->
                                Parallel.forRange(
                                        100,
                                        (lo, hi) -> {
                                            if (hi == 100)
                                                throw new IllegalStateException(
                                                        "boom in the last chunk");
                                        }));
        assertTrue(e.getMessage().contains("boom"));
    }

    @Test
    void threadCountIsFixedOnceStarted() {
        int t = Parallel.threads();
        Parallel.setThreads(t); // same value: allowed
        assertThrows(IllegalStateException.class, () -> Parallel.setThreads(t + 1));
    }

    /**
     * A pool of its own with more threads than this machine has cores, shared by the tests below.
     */
    private static final Parallel.Pool THREE = new Parallel.Pool(3);

    private static void assertCovered(Parallel.Pool pool, int n, int minChunk) {
        AtomicIntegerArray seen = new AtomicIntegerArray(n);
        pool.forRange(
                n,
                minChunk,
                (lo, hi) -> {
                    for (int i = lo; i < hi; i++) seen.incrementAndGet(i);
                });
        for (int i = 0; i < n; i++) assertEquals(1, seen.get(i), "n=" + n + " index " + i);
    }

    @Test
    void jobsBackToBackAndAfterTheWorkersParkedAreEachRunOnce() throws InterruptedException {
        // back to back: workers are still spinning; n = 2 and minChunk leave a worker without work
        for (int rep = 0; rep < 2000; rep++) {
            assertCovered(THREE, 1 + rep % 9, 1);
            assertCovered(THREE, 100, 40);
        }
        // after an idle spell far longer than the spin: workers have parked and must be woken
        for (int rep = 0; rep < 3; rep++) {
            Thread.sleep(20);
            assertCovered(THREE, 1001, 1);
        }
    }

    @Test
    void eachChunkRunsOnItsOwnThread() {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        THREE.forRange(3, 1, (lo, hi) -> threads.add(Thread.currentThread().getName()));
        assertEquals(3, threads.size(), "threads that ran the three chunks: " + threads);
    }

    @Test
    void aNestedSplitRunsInlineOnTheThreadThatAskedForIt() {
        AtomicIntegerArray seen = new AtomicIntegerArray(12 * 12);
        THREE.forRange(
                12,
                1,
                (lo, hi) -> {
                    for (int i = lo; i < hi; i++) {
                        int row = i;
                        String outer = Thread.currentThread().getName();
                        THREE.forRange(
                                12,
                                1,
                                (a, b) -> {
                                    assertEquals(outer, Thread.currentThread().getName());
                                    for (int j = a; j < b; j++) seen.incrementAndGet(row * 12 + j);
                                });
                    }
                });
        for (int i = 0; i < 144; i++) assertEquals(1, seen.get(i), "cell " + i);
    }

    @Test
    void callersOnTwoThreadsAtOnceBothGetEveryIndexOnce() throws InterruptedException {
        Throwable[] failed = new Throwable[2];
        Thread[] callers = new Thread[2];
        for (int c = 0; c < 2; c++) {
            int id = c;
            callers[c] =
                    new Thread(
                            () -> {
                                try {
                                    for (int rep = 0; rep < 500; rep++)
                                        assertCovered(THREE, 257 + id, 1);
                                } catch (Throwable t) {
                                    failed[id] = t;
                                }
                            });
            callers[c].start();
        }
        for (Thread t : callers) t.join();
        assertEquals(null, failed[0]);
        assertEquals(null, failed[1]);
    }

    @Test
    void aFailedJobLeavesThePoolUsable() {
        assertThrows(
                IllegalStateException.class,
                () ->
                        THREE.forRange(
                                99,
                                1,
                                (lo, hi) -> {
                                    if (lo > 0) throw new IllegalStateException("worker chunk");
                                }));
        AssertionError e =
                assertThrows(
                        AssertionError.class,
                        () ->
                                THREE.forRange(
                                        99,
                                        1,
                                        (lo, hi) -> {
                                            if (hi == 99) throw new AssertionError("last chunk");
                                        }));
        assertEquals("last chunk", e.getMessage());
        assertCovered(THREE, 99, 1);
    }

    @Test
    void seriallyRunsEverySplitOnTheCallingThreadAndThenThePoolWorksAgain() {
        Set<String> inside = ConcurrentHashMap.newKeySet();
        AtomicIntegerArray seen = new AtomicIntegerArray(1001);
        Parallel.serially(
                () ->
                        Parallel.forRange(
                                1001,
                                (lo, hi) -> {
                                    inside.add(Thread.currentThread().getName());
                                    for (int i = lo; i < hi; i++) seen.incrementAndGet(i);
                                }));
        assertEquals(Set.of(Thread.currentThread().getName()), inside);
        for (int i = 0; i < 1001; i++) assertEquals(1, seen.get(i), "index " + i);
        if (Parallel.threads() > 1) { // the pool's own threads take chunks again
            Set<String> after = ConcurrentHashMap.newKeySet();
            Parallel.forRange(
                    Parallel.threads(), (lo, hi) -> after.add(Thread.currentThread().getName()));
            assertEquals(Parallel.threads(), after.size(), "threads after: " + after);
        }
    }

    @Test
    void zeroClearsExactlyThePrefix() {
        float[] a = new float[200_000];
        java.util.Arrays.fill(a, 1f);
        int n = 3 * Parallel.MIN_ELEMENTS + 4097; // several chunks and a partial block
        Parallel.zero(a, n);
        for (int i = 0; i < a.length; i++) assertEquals(i < n ? 0f : 1f, a[i], "index " + i);
    }
}
