package org.cladec.testing;

import org.cladec.engine.tensor.Rng;

/** Test inputs drawn from the engine's seeded generator. */
public final class RandomArrays {
    private RandomArrays() {}

    /** {@code n} floats uniform in [-1, 1), drawn in index order from {@code r}. */
    public static float[] uniform(Rng r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.uniform(-1, 1);
        return a;
    }
}
