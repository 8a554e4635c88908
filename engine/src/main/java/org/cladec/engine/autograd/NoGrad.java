package org.cladec.engine.autograd;

/**
 * A scope in which ops record no graph and save no context: evaluation and the frozen classifier's
 * inference run as {@code try (NoGrad g = NoGrad.enter()) { ... }}. Scopes nest; they are per
 * thread.
 */
public final class NoGrad implements AutoCloseable {
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);
    private static final NoGrad INSTANCE = new NoGrad();

    private NoGrad() {}

    /** Disables gradient recording on this thread until the returned scope is closed. */
    public static NoGrad enter() {
        DEPTH.get()[0]++;
        return INSTANCE;
    }

    static boolean active() {
        return DEPTH.get()[0] > 0;
    }

    @Override
    public void close() {
        int[] d = DEPTH.get();
        if (d[0] == 0) throw new IllegalStateException("NoGrad closed more often than entered");
        d[0]--;
    }
}
