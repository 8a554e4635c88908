package org.cladec.engine.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cladec.engine.tensor.Shape;
import org.cladec.engine.tensor.Tensor;

/**
 * A layer or a network: a {@link #forward} computation with named parameters, buffers and child
 * modules.
 *
 * <p>Names follow PyTorch's {@code state_dict}: a module's own parameters, then its own buffers,
 * then each child's entries prefixed with the child's name and a dot ({@code features.0.weight},
 * {@code bn.running_mean}). So a state dict saved by PyTorch loads here by name, and back. Modules
 * are in training mode when created; {@link #eval()} switches batch norm to running statistics and
 * turns dropout off.
 */
public abstract class Module {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Set<String> integralBuffers = new LinkedHashSet<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Computes the module's output; records autograd history when gradients are enabled. */
    public abstract Tensor forward(Tensor x);

    /**
     * The output shape for an input shape, without computing anything (like DJL's getOutputShapes).
     */
    public abstract int[] outputShape(int[] inputShape);

    // ---------------------------------------------------------------- registration

    /** Registers a parameter (marked as requiring a gradient) under {@code name}. */
    protected final Tensor registerParameter(String name, Tensor t) {
        checkName(name);
        t.setRequiresGrad(true);
        params.put(name, t);
        return t;
    }

    /**
     * Registers a buffer: state saved with the module but not trained (e.g. running statistics).
     */
    protected final Tensor registerBuffer(String name, Tensor t) {
        checkName(name);
        buffers.put(name, t);
        return t;
    }

    /** Registers a buffer that holds integers (PyTorch int64, e.g. {@code num_batches_tracked}). */
    protected final Tensor registerIntegralBuffer(String name, Tensor t) {
        registerBuffer(name, t);
        integralBuffers.add(name);
        return t;
    }

    /** Registers a child module under {@code name}. */
    protected final <M extends Module> M registerModule(String name, M m) {
        checkName(name);
        children.put(name, m);
        return m;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains("."))
            throw new IllegalArgumentException("invalid module entry name '" + name + "'");
        if (params.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(
                    "name '" + name + "' is already registered in " + getClass().getSimpleName());
        }
    }

    // ---------------------------------------------------------------- traversal

    /** Direct children by name, in registration order. */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /**
     * The child called {@code name}, or a descendant for a dotted path such as {@code
     * blocks.3.conv}.
     */
    public final Module module(String path) {
        Module m = this;
        for (String part : path.split("\\.")) {
            Module next = m.children.get(part);
            if (next == null)
                throw new IllegalArgumentException(
                        "no module '"
                                + path
                                + "' in "
                                + getClass().getSimpleName()
                                + "; children: "
                                + m.children.keySet());
            m = next;
        }
        return m;
    }

    /** All parameters with their full dotted names. */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, false);
        return out;
    }

    /** All parameters, in {@link #namedParameters()} order. */
    public final List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /**
     * Parameters and buffers by full name: the state a checkpoint holds. The tensors are live, not
     * copies.
     */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, true);
        return out;
    }

    /** Full names of the {@link #stateDict()} entries that hold integers. */
    public final Set<String> integralStateKeys() {
        Set<String> out = new LinkedHashSet<>();
        collectIntegral("", out);
        return out;
    }

    private void collect(
            String prefix, Map<String, Tensor> out, boolean withParams, boolean withBuffers) {
        if (withParams) params.forEach((k, v) -> out.put(prefix + k, v));
        if (withBuffers) buffers.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, m) -> m.collect(prefix + k + ".", out, withParams, withBuffers));
    }

    private void collectIntegral(String prefix, Set<String> out) {
        for (String k : integralBuffers) out.add(prefix + k);
        children.forEach((k, m) -> m.collectIntegral(prefix + k + ".", out));
    }

    /**
     * Copies values from {@code state} into this module's parameters and buffers by name. Every
     * problem is collected first: missing entries, unexpected entries (only when {@code strict})
     * and shape mismatches are listed together in one {@link IllegalArgumentException}, and nothing
     * is copied unless all entries fit.
     */
    public final void loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> own = stateDict();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src == null)
                problems.add("missing: " + e.getKey() + " " + Shape.str(e.getValue().shapeRef()));
            else if (!java.util.Arrays.equals(src.shapeRef(), e.getValue().shapeRef())) {
                problems.add(
                        "shape mismatch: "
                                + e.getKey()
                                + " expected "
                                + Shape.str(e.getValue().shapeRef())
                                + " but got "
                                + Shape.str(src.shapeRef()));
            }
        }
        if (strict) {
            for (String k : state.keySet())
                if (!own.containsKey(k))
                    problems.add("unexpected: " + k + " " + Shape.str(state.get(k).shapeRef()));
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(
                    "state dict does not fit "
                            + getClass().getSimpleName()
                            + ":\n  "
                            + String.join("\n  ", problems));
        }
        for (Map.Entry<String, Tensor> e : own.entrySet())
            e.getValue().copyFrom(state.get(e.getKey()));
    }

    // ---------------------------------------------------------------- modes and gradients

    /** Sets training mode on this module and all descendants. */
    public Module train(boolean on) {
        training = on;
        for (Module m : children.values()) m.train(on);
        return this;
    }

    /** Evaluation mode: {@code train(false)}. */
    public final Module eval() {
        return train(false);
    }

    /** Whether this module is in training mode. */
    public final boolean isTraining() {
        return training;
    }

    /** Marks every parameter as (not) requiring gradients; {@code false} freezes the module. */
    public final Module setRequiresGrad(boolean on) {
        for (Tensor p : namedParameters().values()) p.setRequiresGrad(on);
        return this;
    }

    /** Zeros the gradients of all parameters (keeping their storage). */
    public final void zeroGrad() {
        for (Tensor p : namedParameters().values()) p.zeroGrad();
    }

    /** Total number of parameter elements. */
    public final long parameterCount() {
        long n = 0;
        for (Tensor p : namedParameters().values()) n += p.size();
        return n;
    }

    /** Checks an input shape against the expected rank and, where given (not -1), sizes. */
    protected static void expectShape(int[] inputShape, String layer, int... expected) {
        boolean ok = inputShape.length == expected.length;
        for (int i = 0; ok && i < expected.length; i++)
            ok = expected[i] < 0 || expected[i] == inputShape[i];
        if (!ok) {
            StringBuilder want = new StringBuilder("(");
            for (int i = 0; i < expected.length; i++)
                want.append(i > 0 ? ", " : "")
                        .append(expected[i] < 0 ? "*" : String.valueOf(expected[i]));
            throw new IllegalArgumentException(
                    layer + ": expected input " + want + "), but got " + Shape.str(inputShape));
        }
    }
}
