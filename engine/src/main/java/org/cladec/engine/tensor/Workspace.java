package org.cladec.engine.tensor;

import java.util.Arrays;

/**
 * Reusable storage for the tensors of a repeated computation, such as one training step.
 *
 * <p>While a workspace is open on a thread, every {@link Tensor#empty} on that thread takes the
 * next slot of the workspace instead of a new array. A slot is allocated on first use and grows
 * only when a later request is larger, so a loop that repeats the same computation allocates
 * nothing after its first iteration (llm.c sizes its activations once; Jlama's {@code TensorCache}
 * reuses buffers).
 *
 * <pre>{@code
 * Workspace ws = new Workspace();                 // one per training loop
 * for (Batch b : batches) {
 *     try (Workspace.Scope s = ws.open()) {       // slots are handed out again from the first
 *         Tensor loss = model.loss(b);
 *         loss.backward();
 *         lossSum += loss.item();                 // read results before the scope closes
 *         optimizer.step();
 *     }
 * }
 * }</pre>
 *
 * <p>NOTE: a tensor created inside a scope is only valid until the scope closes; its storage is
 * reused by the next scope. Parameters, their gradients and optimizer state never come from a
 * workspace. Outside any scope, {@link Tensor#empty} allocates fresh arrays, so casual use is safe.
 * A workspace belongs to one thread at a time.
 */
public final class Workspace {
    private static final ThreadLocal<Workspace> ACTIVE = new ThreadLocal<>();

    private float[][] floats = new float[32][];
    private int[][] ints = new int[8][];
    private int nextFloat, nextInt;
    private boolean open;

    /**
     * Makes this workspace the active one on the calling thread until the returned scope is closed.
     */
    public Scope open() {
        if (open) throw new IllegalStateException("workspace is already open");
        open = true;
        nextFloat = 0;
        nextInt = 0;
        Scope scope = new Scope(this, ACTIVE.get());
        ACTIVE.set(this);
        return scope;
    }

    /** Bytes currently held by this workspace's slots. */
    public long bytes() {
        long b = 0;
        for (float[] f : floats) if (f != null) b += 4L * f.length;
        for (int[] i : ints) if (i != null) b += 4L * i.length;
        return b;
    }

    /**
     * A float array of at least {@code n} elements: the next slot of the active workspace, or a new
     * array when none is open. The contents are arbitrary; callers overwrite or zero them.
     */
    public static float[] floats(int n) {
        Workspace ws = ACTIVE.get();
        return ws == null ? new float[n] : ws.nextFloats(n);
    }

    /** Like {@link #floats(int)} for int arrays (e.g. max-pool argmax indices). */
    public static int[] ints(int n) {
        Workspace ws = ACTIVE.get();
        return ws == null ? new int[n] : ws.nextInts(n);
    }

    private float[] nextFloats(int n) {
        if (nextFloat == floats.length) floats = Arrays.copyOf(floats, floats.length * 2);
        float[] slot = floats[nextFloat];
        if (slot == null || slot.length < n) floats[nextFloat] = slot = new float[n];
        nextFloat++;
        return slot;
    }

    private int[] nextInts(int n) {
        if (nextInt == ints.length) ints = Arrays.copyOf(ints, ints.length * 2);
        int[] slot = ints[nextInt];
        if (slot == null || slot.length < n) ints[nextInt] = slot = new int[n];
        nextInt++;
        return slot;
    }

    /** An open workspace; closing it restores whatever was active before. */
    public static final class Scope implements AutoCloseable {
        private final Workspace ws;
        private final Workspace previous;
        private boolean closed;

        private Scope(Workspace ws, Workspace previous) {
            this.ws = ws;
            this.previous = previous;
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            ws.open = false;
            ACTIVE.set(previous); // set, not remove: keeps the thread's map entry, so no garbage
        }
    }
}
