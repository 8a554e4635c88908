package org.cladec.engine.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cladec.engine.parallel.Parallel;
import org.cladec.engine.tensor.Tensor;

/**
 * Updates parameters in place from their gradients. State (momentum buffers, moments) is allocated
 * once per parameter on the first step and owned by the optimizer. Parameters whose gradient is
 * null (no backward pass reached them) are skipped, as in PyTorch.
 */
public abstract class Optimizer {
    protected final List<Tensor> params;
    protected float lr;

    protected Optimizer(List<Tensor> params, float lr) {
        if (params.isEmpty())
            throw new IllegalArgumentException(
                    getClass().getSimpleName() + ": no parameters to optimize");
        if (!(lr >= 0f) || Float.isInfinite(lr))
            throw new IllegalArgumentException(
                    getClass().getSimpleName()
                            + ": learning rate must be finite and >= 0, but got "
                            + lr);
        for (Tensor p : params) {
            if (!p.isDense())
                throw new IllegalArgumentException(
                        getClass().getSimpleName() + ": parameters must be dense tensors");
        }
        this.params = new ArrayList<>(params);
        this.lr = lr;
    }

    /**
     * Runs an update kernel over {@code [0, n)}: split over the pool, called in short blocks
     * ({@link Parallel#forBlocks}; the kernels give the same results for any split).
     */
    protected static void update(int n, Parallel.RangeTask kernel) {
        Parallel.forBlocks(n, kernel);
    }

    /** Applies one update from the current gradients. */
    public abstract void step();

    /** Zeros every parameter's gradient (keeping its storage). */
    public void zeroGrad() {
        for (Tensor p : params) p.zeroGrad();
    }

    /** The current learning rate. */
    public float lr() {
        return lr;
    }

    /** Sets the learning rate (schedulers call this). */
    public void setLr(float lr) {
        this.lr = lr;
    }

    /** The parameters, in order. */
    public List<Tensor> params() {
        return List.copyOf(params);
    }

    /**
     * The optimizer's state by name, live tensors that a checkpoint saves and restores in place
     * (e.g. {@code 3.exp_avg}); scalar counters are one-element tensors.
     */
    public abstract Map<String, Tensor> state();

    /** Integer counters of the state (steps taken, whether momentum started), for checkpoints. */
    public abstract Map<String, String> counters();

    /**
     * Restores state saved from {@link #state()} and {@link #counters()} of an optimizer over
     * parameters of the same shapes: tensors are copied into fresh buffers.
     */
    public abstract void loadState(Map<String, Tensor> state, Map<String, String> counters);

    /** A fresh buffer holding a copy of {@code saved}, shaped like parameter {@code i}. */
    protected Tensor restored(int i, Tensor saved, String name) {
        Tensor p = params.get(i);
        if (!java.util.Arrays.equals(p.shapeRef(), saved.shapeRef())) {
            throw new IllegalArgumentException(
                    getClass().getSimpleName()
                            + " state "
                            + name
                            + ": shape "
                            + org.cladec.engine.tensor.Shape.str(saved.shapeRef())
                            + " does not match parameter "
                            + i
                            + " "
                            + org.cladec.engine.tensor.Shape.str(p.shapeRef()));
        }
        return saved.copy();
    }

    protected static Map<String, Tensor> newStateMap() {
        return new LinkedHashMap<>();
    }
}
