package org.cladec.engine.tensor;

/**
 * A seeded pseudo-random generator (xoshiro128** seeded through SplitMix64). Every random operation
 * in the engine takes an {@code Rng}; there is no hidden global randomness, so a seed reproduces a
 * run.
 *
 * <p>The whole state is four ints plus a cached Gaussian, readable with {@link #state()} and
 * restorable with {@link #setState(long[])}, so checkpoints can resume a random stream exactly.
 */
public final class Rng {
    private int s0, s1, s2, s3;
    private boolean haveGaussian;
    private float nextGaussian;

    /** A generator whose stream is fully determined by {@code seed}. */
    public Rng(long seed) {
        long z = seed;
        long a = splitMix(z += 0x9E3779B97F4A7C15L);
        long b = splitMix(z + 0x9E3779B97F4A7C15L);
        s0 = (int) a;
        s1 = (int) (a >>> 32);
        s2 = (int) b;
        s3 = (int) (b >>> 32);
        if ((s0 | s1 | s2 | s3) == 0) s0 = 1; // the all-zero state is a fixed point
    }

    private static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A new generator seeded from this one's stream: an independent child stream. */
    public Rng fork() {
        return new Rng(nextKey());
    }

    /** 32 uniformly distributed bits. */
    public int nextInt() {
        int result = Integer.rotateLeft(s1 * 5, 7) * 9;
        int t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Integer.rotateLeft(s3, 11);
        return result;
    }

    /** Uniform in {@code [0, bound)} without modulo bias (Lemire's method). */
    public int nextInt(int bound) {
        if (bound <= 0)
            throw new IllegalArgumentException("bound must be positive, but got " + bound);
        long m = (nextInt() & 0xFFFFFFFFL) * bound;
        long l = m & 0xFFFFFFFFL;
        if (l < bound) {
            long threshold = (0x1_0000_0000L - bound) % bound;
            while (l < threshold) {
                m = (nextInt() & 0xFFFFFFFFL) * bound;
                l = m & 0xFFFFFFFFL;
            }
        }
        return (int) (m >>> 32);
    }

    /** Uniform in {@code [0, 1)} with 24 random bits. */
    public float nextFloat() {
        return (nextInt() >>> 8) * 0x1.0p-24f;
    }

    /**
     * A key for {@link #uniformAt}: 64 bits drawn from this stream. One draw then stands for as
     * many numbers as the caller needs, which any thread can compute in any order.
     */
    public long nextKey() {
        return ((long) nextInt() << 32) ^ (nextInt() & 0xFFFFFFFFL);
    }

    /**
     * Uniform in {@code [0, 1)} with 24 random bits: element {@code index} of a counter-based
     * stream keyed by {@code key} (SplitMix64's mix of {@code key + (index + 1)·γ}). Element i does
     * not depend on any other, so work split over threads draws the same numbers as one thread
     * (dropout's masks).
     */
    public static float uniformAt(long key, long index) {
        return bitsAt(key, index) * 0x1.0p-24f;
    }

    /** The 24 bits of {@link #uniformAt}{@code (key, index)}, an int in {@code [0, 2^24)}. */
    public static int bitsAt(long key, long index) {
        return (int) (splitMix(key + (index + 1) * 0x9E3779B97F4A7C15L) >>> 40);
    }

    /** Uniform in {@code [lo, hi)}. */
    public float uniform(float lo, float hi) {
        return lo + (hi - lo) * nextFloat();
    }

    /** Standard normal (Box-Muller; the second value of each pair is cached). */
    public float nextGaussian() {
        if (haveGaussian) {
            haveGaussian = false;
            return nextGaussian;
        }
        double u1, u2;
        do {
            u1 = (nextInt() >>> 8) * 0x1.0p-24;
        } while (u1 <= 0);
        u2 = (nextInt() >>> 8) * 0x1.0p-24;
        double r = Math.sqrt(-2 * StrictMath.log(u1));
        nextGaussian = (float) (r * StrictMath.sin(2 * Math.PI * u2));
        haveGaussian = true;
        return (float) (r * StrictMath.cos(2 * Math.PI * u2));
    }

    /** Fisher-Yates shuffle of {@code a[0..n)} in place. */
    public void shuffle(int[] a, int n) {
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /**
     * The complete state, for checkpoints: {@code {s0..s3 packed, haveGaussian, gaussian bits}}.
     */
    public long[] state() {
        return new long[] {
            ((long) s0 << 32) | (s1 & 0xFFFFFFFFL),
            ((long) s2 << 32) | (s3 & 0xFFFFFFFFL),
            haveGaussian ? 1 : 0,
            Float.floatToRawIntBits(nextGaussian)
        };
    }

    /** Restores a state returned by {@link #state()}. */
    public void setState(long[] state) {
        if (state.length != 4)
            throw new IllegalArgumentException(
                    "Rng state: expected 4 longs, but got " + state.length);
        s0 = (int) (state[0] >>> 32);
        s1 = (int) state[0];
        s2 = (int) (state[1] >>> 32);
        s3 = (int) state[1];
        if ((s0 | s1 | s2 | s3) == 0)
            throw new IllegalArgumentException("Rng state: all-zero state is invalid");
        haveGaussian = state[2] != 0;
        nextGaussian = Float.intBitsToFloat((int) state[3]);
    }
}
