package org.cladec.engine.optim;

import java.util.List;
import java.util.Map;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.tensor.Tensor;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight
 * decay. Reference: {@code torch.optim.SGD} (the single-tensor code path); formula in {@link
 * org.cladec.engine.kernels.OptimKernels#sgd}.
 */
public final class Sgd extends Optimizer {
    private final float momentum, dampening, weightDecay;
    private final boolean nesterov;
    private final Tensor[] buffers;
    private final boolean[] started;

    /** Plain SGD: {@code p −= lr·g}. */
    public Sgd(List<Tensor> params, float lr) {
        this(params, lr, 0f, 0f, 0f, false);
    }

    /**
     * SGD with momentum, dampening, L2 weight decay and optionally Nesterov momentum, as {@code
     * torch.optim.SGD}.
     */
    public Sgd(
            List<Tensor> params,
            float lr,
            float momentum,
            float dampening,
            float weightDecay,
            boolean nesterov) {
        super(params, lr);
        if (momentum < 0f || weightDecay < 0f)
            throw new IllegalArgumentException("Sgd: momentum and weight decay must be >= 0");
        if (nesterov && (momentum <= 0f || dampening != 0f))
            throw new IllegalArgumentException(
                    "Sgd: Nesterov momentum requires a momentum and zero dampening");
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
        this.buffers = new Tensor[this.params.size()];
        this.started = new boolean[this.params.size()];
    }

    @Override
    public void step() {
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            if (p.grad() == null) continue;
            if (momentum != 0f && buffers[i] == null)
                buffers[i] = Tensor.wrap(new float[p.size()], p.shapeRef());
            float[] pd = p.data(), gd = p.grad().data();
            float[] bd = buffers[i] == null ? null : buffers[i].data();
            boolean first = !started[i];
            update(
                    p.size(),
                    (lo, hi) ->
                            Kernels.optim()
                                    .sgd(
                                            pd,
                                            gd,
                                            bd,
                                            lo,
                                            hi,
                                            lr,
                                            momentum,
                                            dampening,
                                            weightDecay,
                                            nesterov,
                                            first));
            started[i] = true;
        }
    }

    @Override
    public Map<String, String> counters() {
        Map<String, String> c = new java.util.LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) if (started[i]) c.put(i + ".started", "1");
        return c;
    }

    @Override
    public void loadState(Map<String, Tensor> state, Map<String, String> counters) {
        for (int i = 0; i < params.size(); i++) {
            Tensor b = state.get(i + ".momentum_buffer");
            buffers[i] = b == null ? null : restored(i, b, i + ".momentum_buffer");
            started[i] = counters.containsKey(i + ".started");
        }
    }

    @Override
    public Map<String, Tensor> state() {
        Map<String, Tensor> s = newStateMap();
        for (int i = 0; i < params.size(); i++)
            if (buffers[i] != null) s.put(i + ".momentum_buffer", buffers[i]);
        return s;
    }
}
