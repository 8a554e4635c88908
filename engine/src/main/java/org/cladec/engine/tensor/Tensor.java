package org.cladec.engine.tensor;

import java.util.Arrays;
import org.cladec.engine.autograd.Autograd;
import org.cladec.engine.autograd.Node;
import org.cladec.engine.parallel.Parallel;

/**
 * A float tensor: a heap {@code float[]} plus offset, shape and strides (NCHW for images).
 *
 * <p>{@link #reshape}, {@link #permute}, {@link #slice} and {@link #expand} return new metadata
 * over the same array; {@link #dense()} copies only when the layout is not already row-major from
 * offset 0. Those views do not record autograd history: differentiable reshapes live in {@code
 * ops.F}.
 *
 * <p>Autograd: a tensor {@link #requiresGrad()} when it is a leaf marked by {@link
 * #setRequiresGrad(boolean)} (a parameter, or an input whose gradient is wanted) or when an op
 * computed it from such a tensor while gradients were enabled. Such a computed tensor carries the
 * {@link Node} that made it; {@link #backward()} walks those nodes in reverse. Leaf gradients
 * accumulate across backward passes until {@link #zeroGrad()}.
 */
public final class Tensor {
    private final float[] data;
    private final int offset;
    private final int[] shape;
    private final int[] strides; // stride 0 marks a broadcast dimension
    private final int size;
    private final boolean dense; // row-major from offset 0

    private boolean requiresGrad;
    private Tensor grad; // same shape as this, dense; owned by this tensor
    private Node node; // the op application that produced this tensor, while the graph is alive

    private Tensor(float[] data, int offset, int[] shape, int[] strides) {
        this.data = data;
        this.offset = offset;
        this.shape = shape;
        this.strides = strides;
        this.size = Shape.size(shape);
        this.dense = offset == 0 && isRowMajor(shape, strides);
    }

    private static boolean isRowMajor(int[] shape, int[] strides) {
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != s) return false;
            s *= shape[i];
        }
        return true;
    }

    // ---------------------------------------------------------------- factories

    /**
     * A dense tensor with arbitrary contents, taken from the active {@link Workspace} if one is
     * open on this thread, else freshly allocated.
     */
    public static Tensor empty(int... shape) {
        int[] s = shape.clone();
        return new Tensor(Workspace.floats(Shape.size(s)), 0, s, Shape.rowMajorStrides(s));
    }

    /** A dense tensor of zeros (workspace-aware, like {@link #empty}). */
    public static Tensor zeros(int... shape) {
        Tensor t = empty(shape);
        Parallel.zero(t.data, t.size); // gradient buffers of megabytes: not on one thread
        return t;
    }

    /** A dense tensor filled with {@code value} (workspace-aware). */
    public static Tensor full(float value, int... shape) {
        Tensor t = empty(shape);
        Arrays.fill(t.data, 0, t.size, value);
        return t;
    }

    /** A dense tensor of ones (workspace-aware). */
    public static Tensor ones(int... shape) {
        return full(1f, shape);
    }

    /** A rank-0 tensor holding {@code value}; always freshly allocated. */
    public static Tensor scalar(float value) {
        return new Tensor(new float[] {value}, 0, new int[0], new int[0]);
    }

    /**
     * Wraps {@code data} (not copied; the tensor shares it) as a dense tensor of {@code shape}. The
     * array must hold at least {@code Shape.size(shape)} elements.
     */
    public static Tensor wrap(float[] data, int... shape) {
        int[] s = shape.clone();
        int n = Shape.size(s);
        if (data.length < n) {
            throw new IllegalArgumentException(
                    "wrap: shape "
                            + Shape.str(s)
                            + " needs "
                            + n
                            + " elements, but the array has "
                            + data.length);
        }
        return new Tensor(data, 0, s, Shape.rowMajorStrides(s));
    }

    /**
     * A dense tensor holding a copy of {@code values}, which must have exactly the shape's size.
     */
    public static Tensor of(float[] values, int... shape) {
        int n = Shape.size(shape);
        if (values.length != n) {
            throw new IllegalArgumentException(
                    "of: shape "
                            + Shape.str(shape)
                            + " needs "
                            + n
                            + " values, but got "
                            + values.length);
        }
        return wrap(values.clone(), shape);
    }

    /** Uniform in {@code [lo, hi)}; freshly allocated. */
    public static Tensor uniform(Rng rng, float lo, float hi, int... shape) {
        float[] d = new float[Shape.size(shape)];
        for (int i = 0; i < d.length; i++) d[i] = rng.uniform(lo, hi);
        return wrap(d, shape);
    }

    /** Normal with the given mean and standard deviation; freshly allocated. */
    public static Tensor normal(Rng rng, float mean, float std, int... shape) {
        float[] d = new float[Shape.size(shape)];
        for (int i = 0; i < d.length; i++) d[i] = mean + std * rng.nextGaussian();
        return wrap(d, shape);
    }

    // ---------------------------------------------------------------- metadata and raw access

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** The shape array itself, for engine code that promises not to modify it. */
    public int[] shapeRef() {
        return shape;
    }

    /** Size of dimension {@code i}; negative {@code i} counts from the end. */
    public int shape(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    /** A copy of the strides (in elements). */
    public int[] strides() {
        return strides.clone();
    }

    /** Number of dimensions. */
    public int dim() {
        return shape.length;
    }

    /** Number of elements. */
    public int size() {
        return size;
    }

    /**
     * The backing array. For a {@link #isDense() dense} tensor element {@code i} in row-major order
     * is {@code data()[i]}; the array may be longer than {@link #size()}. Writing to it bypasses
     * autograd.
     */
    public float[] data() {
        return data;
    }

    /** Offset of element (0, ..., 0) in {@link #data()}. */
    public int offset() {
        return offset;
    }

    /** True when the layout is row-major starting at offset 0, the layout every kernel takes. */
    public boolean isDense() {
        return dense;
    }

    // ---------------------------------------------------------------- element access (tests, I/O)

    private int index(int[] idx) {
        if (idx.length != shape.length) {
            throw new IllegalArgumentException(
                    "index " + Arrays.toString(idx) + " does not match shape " + Shape.str(shape));
        }
        int p = offset;
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 0 || idx[i] >= shape[i]) {
                throw new IndexOutOfBoundsException(
                        "index "
                                + Arrays.toString(idx)
                                + " out of bounds for shape "
                                + Shape.str(shape));
            }
            p += idx[i] * strides[i];
        }
        return p;
    }

    /** The element at {@code idx}. For tests and I/O; hot code indexes {@link #data()}. */
    public float get(int... idx) {
        return data[index(idx)];
    }

    /** Sets the element at {@code idx}. For tests and I/O; bypasses autograd. */
    public void set(float value, int... idx) {
        data[index(idx)] = value;
    }

    /** The value of a one-element tensor. */
    public float item() {
        if (size != 1)
            throw new IllegalStateException(
                    "item: tensor has " + size + " elements, shape " + Shape.str(shape));
        return data[offset];
    }

    /** A new array with the elements in row-major order. */
    public float[] toArray() {
        float[] out = new float[size];
        copyStrided(out, this);
        return out;
    }

    // ---------------------------------------------------------------- views (no autograd)

    private void noGradView(String what) {
        if (requiresGrad && Autograd.isEnabled()) {
            throw new IllegalStateException(
                    what
                            + ": this view does not record gradients, but the tensor requires grad; use F."
                            + what
                            + " or call it inside NoGrad");
        }
    }

    /**
     * A view with a new shape over the same elements; one dimension may be -1. Copies if not dense.
     */
    public Tensor reshape(int... newShape) {
        noGradView("reshape");
        int[] s = inferShape(newShape, size);
        Tensor src = dense();
        return new Tensor(src.data, 0, s, Shape.rowMajorStrides(s));
    }

    /** Resolves a single -1 in {@code newShape} so that the size is {@code size}. */
    public static int[] inferShape(int[] newShape, int size) {
        int[] s = newShape.clone();
        int infer = -1, known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0)
                    throw new IllegalArgumentException(
                            "reshape: more than one -1 in " + Arrays.toString(newShape));
                infer = i;
            } else {
                if (s[i] < 0)
                    throw new IllegalArgumentException(
                            "reshape: negative dimension in " + Arrays.toString(newShape));
                known = Math.multiplyExact(known, s[i]);
            }
        }
        if (infer >= 0) {
            if (known == 0 || size % known != 0) {
                throw new IllegalArgumentException(
                        "reshape: cannot infer -1 in "
                                + Arrays.toString(newShape)
                                + " for "
                                + size
                                + " elements");
            }
            s[infer] = size / known;
        }
        if (Shape.size(s) != size) {
            throw new IllegalArgumentException(
                    "reshape: shape " + Shape.str(s) + " does not hold " + size + " elements");
        }
        return s;
    }

    /**
     * A view with dimensions reordered: result dimension i is this tensor's dimension {@code
     * axes[i]}.
     */
    public Tensor permute(int... axes) {
        noGradView("permute");
        if (axes.length != shape.length) {
            throw new IllegalArgumentException(
                    "permute: " + axes.length + " axes for shape " + Shape.str(shape));
        }
        int[] s = new int[axes.length], st = new int[axes.length];
        boolean[] seen = new boolean[axes.length];
        for (int i = 0; i < axes.length; i++) {
            int a = axes[i];
            if (a < 0 || a >= axes.length || seen[a])
                throw new IllegalArgumentException("permute: bad axes " + Arrays.toString(axes));
            seen[a] = true;
            s[i] = shape[a];
            st[i] = strides[a];
        }
        return new Tensor(data, offset, s, st);
    }

    /** A view of indices {@code [start, end)} along {@code dim}. */
    public Tensor slice(int dim, int start, int end) {
        noGradView("slice");
        if (dim < 0 || dim >= shape.length || start < 0 || end > shape[dim] || start > end) {
            throw new IllegalArgumentException(
                    "slice: ["
                            + start
                            + ", "
                            + end
                            + ") on dim "
                            + dim
                            + " of "
                            + Shape.str(shape));
        }
        int[] s = shape.clone();
        s[dim] = end - start;
        return new Tensor(data, offset + start * strides[dim], s, strides.clone());
    }

    /**
     * A broadcast view with shape {@code newShape}: dimensions of size 1 stretch (stride 0) and new
     * leading dimensions are added, following NumPy rules.
     */
    public Tensor expand(int... newShape) {
        noGradView("expand");
        int[] b = Shape.broadcast(shape, newShape);
        if (b == null || !Arrays.equals(b, newShape)) {
            throw new IllegalArgumentException(
                    "expand: cannot broadcast " + Shape.str(shape) + " to " + Shape.str(newShape));
        }
        int lead = newShape.length - shape.length;
        int[] st = new int[newShape.length];
        for (int i = 0; i < shape.length; i++)
            st[lead + i] = shape[i] == newShape[lead + i] ? strides[i] : 0;
        return new Tensor(data, offset, newShape.clone(), st);
    }

    /** This tensor if dense, else a dense copy (the layout every kernel takes). No autograd. */
    public Tensor dense() {
        if (dense) return this;
        Tensor out = empty(shape);
        copyStrided(out.data, this);
        return out;
    }

    /** Copies the elements of {@code src} in row-major order into {@code dst[0..size)}. */
    static void copyStrided(float[] dst, Tensor src) {
        int n = src.size;
        if (n == 0) return;
        int r = src.shape.length;
        if (r == 0) {
            dst[0] = src.data[src.offset];
            return;
        }
        int[] idx = new int[r];
        int last = r - 1, lastStride = src.strides[last], lastLen = src.shape[last];
        int p = 0;
        while (p < n) {
            int base = src.offset;
            for (int i = 0; i < last; i++) base += idx[i] * src.strides[i];
            for (int j = 0; j < lastLen; j++) dst[p++] = src.data[base + j * lastStride];
            for (int i = last - 1; i >= 0; i--) {
                if (++idx[i] < src.shape[i]) break;
                idx[i] = 0;
            }
        }
    }

    /** A dense copy that shares nothing with this tensor and has no autograd history. */
    public Tensor copy() {
        float[] d = new float[size];
        copyStrided(d, this);
        return new Tensor(d, 0, shape.clone(), Shape.rowMajorStrides(shape));
    }

    /**
     * A tensor over the same storage with no autograd history and {@code requiresGrad() == false}.
     */
    public Tensor detach() {
        return new Tensor(data, offset, shape, strides);
    }

    /** Copies {@code src}'s elements into this tensor (shapes must match). Bypasses autograd. */
    public void copyFrom(Tensor src) {
        Checks.sameShape(this, src, "copyFrom");
        if (dense) copyStrided(data, src);
        else {
            Tensor d = src.dense();
            int[] idx = new int[shape.length];
            for (int p = 0; p < size; p++) {
                data[index(idx)] = d.data[p];
                for (int i = shape.length - 1; i >= 0; i--) {
                    if (++idx[i] < shape[i]) break;
                    idx[i] = 0;
                }
            }
        }
    }

    // ---------------------------------------------------------------- autograd

    /** Whether gradients are tracked for this tensor. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * Marks a leaf tensor (one no op produced) as needing a gradient, or not. Frozen parameters set
     * it to false: gradients still flow through them to earlier tensors, but none is computed for
     * them.
     */
    public Tensor setRequiresGrad(boolean value) {
        if (node != null)
            throw new IllegalStateException(
                    "setRequiresGrad: only leaf tensors can be marked; use detach()");
        requiresGrad = value;
        return this;
    }

    /** The accumulated gradient, or {@code null} before any backward pass reached this tensor. */
    public Tensor grad() {
        return grad;
    }

    /** Sets the gradient tensor (engine use: autograd, optimizers, checkpoint loading). */
    public void setGrad(Tensor g) {
        if (g != null && !Arrays.equals(g.shape, shape)) {
            throw new IllegalArgumentException(
                    "setGrad: gradient shape "
                            + Shape.str(g.shape)
                            + " differs from tensor shape "
                            + Shape.str(shape));
        }
        grad = g;
    }

    /** Fills the gradient with zeros, keeping its storage. */
    public void zeroGrad() {
        if (grad != null) Parallel.zero(grad.data, grad.size);
    }

    /** The node that produced this tensor, or null for leaves and after backward consumed it. */
    public Node node() {
        return node;
    }

    /** Engine use: attach the op application that produced this tensor. */
    public void setNode(Node n) {
        node = n;
        requiresGrad = n != null || requiresGrad;
    }

    /** Backpropagates from this one-element tensor: see {@link Autograd#backward(Tensor)}. */
    public void backward() {
        Autograd.backward(this);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor").append(Shape.str(shape));
        if (requiresGrad) sb.append(" requiresGrad");
        if (size <= 16) sb.append(' ').append(Arrays.toString(toArray()));
        return sb.toString();
    }
}
