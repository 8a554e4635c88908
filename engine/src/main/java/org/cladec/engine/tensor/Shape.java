package org.cladec.engine.tensor;

/** Static helpers for shapes ({@code int[]}, outermost dimension first) and row-major strides. */
public final class Shape {
    private Shape() {}

    /** Number of elements, failing with {@link ArithmeticException} instead of overflowing. */
    public static int size(int... shape) {
        int n = 1;
        for (int d : shape) {
            if (d < 0)
                throw new IllegalArgumentException("negative dimension in shape " + str(shape));
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Row-major (C order) strides for {@code shape}. */
    public static int[] rowMajorStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return strides;
    }

    /** Formats a shape as {@code (2, 3, 4)}. */
    public static String str(int[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(shape[i]);
        }
        return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }

    /**
     * The broadcast shape of {@code a} and {@code b} under NumPy rules (align trailing dimensions;
     * a dimension of 1 stretches), or {@code null} when they are incompatible.
     */
    public static int[] broadcast(int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i < n - a.length ? 1 : a[i - (n - a.length)];
            int db = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (da != db && da != 1 && db != 1) return null;
            out[i] = da == 1 ? db : da;
        }
        return out;
    }
}
