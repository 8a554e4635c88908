package org.cladec.engine.tensor;

import java.util.Arrays;

/**
 * Argument checks at op boundaries. Every failure names the op and shows both sides, like "conv2d:
 * expected input channels 3 (weight (8, 3, 3, 3)), but got input (2, 4, 9, 9)". The engine has no
 * dependencies, so this replaces a validation library.
 */
public final class Checks {
    private Checks() {}

    /**
     * Throws {@link IllegalArgumentException} with {@code op + ": " + message} when {@code ok} is
     * false.
     */
    public static void check(boolean ok, String op, String message) {
        if (!ok) throw new IllegalArgumentException(op + ": " + message);
    }

    /** Checks the rank of {@code t}; the message shows the actual shape. */
    public static void rank(Tensor t, int rank, String op, String what) {
        if (t.dim() != rank) {
            throw new IllegalArgumentException(
                    op
                            + ": expected "
                            + what
                            + " of rank "
                            + rank
                            + ", but got shape "
                            + Shape.str(t.shapeRef()));
        }
    }

    /** Checks that two tensors have the same shape; the message shows both. */
    public static void sameShape(Tensor a, Tensor b, String op) {
        if (!Arrays.equals(a.shapeRef(), b.shapeRef())) {
            throw new IllegalArgumentException(
                    op
                            + ": shapes must match, but got "
                            + Shape.str(a.shapeRef())
                            + " and "
                            + Shape.str(b.shapeRef()));
        }
    }

    /** Checks that {@code value > 0}. */
    public static void positive(int value, String op, String what) {
        if (value <= 0)
            throw new IllegalArgumentException(
                    op + ": " + what + " must be positive, but got " + value);
    }

    /** Checks that {@code value >= 0}. */
    public static void nonNegative(int value, String op, String what) {
        if (value < 0)
            throw new IllegalArgumentException(
                    op + ": " + what + " must be >= 0, but got " + value);
    }
}
