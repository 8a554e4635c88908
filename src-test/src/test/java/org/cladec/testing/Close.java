package org.cladec.testing;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Per-element comparison {@code |got − ref| ≤ atol + rtol·|ref|}, reporting the first bad index.
 */
public final class Close {
    private Close() {}

    public static void assertClose(
            float[] ref, float[] got, int n, double atol, double rtol, String what) {
        if (got.length < n || ref.length < n)
            fail(
                    what
                            + ": arrays shorter than "
                            + n
                            + " (ref "
                            + ref.length
                            + ", got "
                            + got.length
                            + ")");
        for (int i = 0; i < n; i++) check(ref[i], got[i], i, atol, rtol, what);
    }

    /** One element: {@code |got − ref| ≤ atol + rtol·|ref|}, or both NaN. */
    private static void check(double r, double g, int i, double atol, double rtol, String what) {
        boolean bothNaN = Double.isNaN(r) && Double.isNaN(g);
        if (!bothNaN && !(Math.abs(g - r) <= atol + rtol * Math.abs(r))) {
            fail(
                    String.format(
                            "%s: element %d differs: expected %s but got %s (|diff| %.3g > %.3g)",
                            what, i, r, g, Math.abs(g - r), atol + rtol * Math.abs(r)));
        }
    }

    public static void assertClose(
            float[] ref, float[] got, double atol, double rtol, String what) {
        if (ref.length != got.length)
            fail(what + ": length " + got.length + ", expected " + ref.length);
        assertClose(ref, got, ref.length, atol, rtol, what);
    }

    /** {@link #assertClose(float[], float[], double, double, String)} for double arrays. */
    public static void assertClose(
            double[] ref, double[] got, double atol, double rtol, String what) {
        if (ref.length != got.length)
            fail(what + ": length " + got.length + ", expected " + ref.length);
        for (int i = 0; i < ref.length; i++) check(ref[i], got[i], i, atol, rtol, what);
    }

    /** Maximum absolute difference over the first n elements. */
    public static double maxAbsDiff(float[] a, float[] b, int n) {
        double m = 0;
        for (int i = 0; i < n; i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
        return m;
    }
}
