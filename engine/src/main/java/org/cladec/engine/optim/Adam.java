package org.cladec.engine.optim;

import java.util.List;
import java.util.Map;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.tensor.Tensor;

/**
 * Adam with L2 weight decay added to the gradient (reference: {@code torch.optim.Adam}) or, when
 * created with {@link #adamW}, with decoupled weight decay (reference: {@code torch.optim.AdamW}).
 * Formula in {@link org.cladec.engine.kernels.OptimKernels#adam}. Moments are allocated on the
 * first step.
 */
public final class Adam extends Optimizer {
    private final float beta1, beta2, eps, weightDecay;
    private final boolean decoupled;
    private final Tensor[] m, v;
    private final int[] steps;

    /** torch.optim.Adam(params, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay). */
    public Adam(List<Tensor> params, float lr, float weightDecay) {
        this(params, lr, 0.9f, 0.999f, 1e-8f, weightDecay, false);
    }

    /**
     * Adam with explicit betas, eps, weight decay, and L2 ({@code decoupled = false}) or decoupled
     * decay.
     */
    public Adam(
            List<Tensor> params,
            float lr,
            float beta1,
            float beta2,
            float eps,
            float weightDecay,
            boolean decoupled) {
        super(params, lr);
        if (!(beta1 >= 0f && beta1 < 1f && beta2 >= 0f && beta2 < 1f))
            throw new IllegalArgumentException(
                    "Adam: betas must be in [0, 1), but got " + beta1 + ", " + beta2);
        if (!(eps >= 0f) || !(weightDecay >= 0f))
            throw new IllegalArgumentException("Adam: eps and weight decay must be >= 0");
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
        int n = this.params.size();
        this.m = new Tensor[n];
        this.v = new Tensor[n];
        this.steps = new int[n];
    }

    /** torch.optim.AdamW(params, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay). */
    public static Adam adamW(List<Tensor> params, float lr, float weightDecay) {
        return new Adam(params, lr, 0.9f, 0.999f, 1e-8f, weightDecay, true);
    }

    @Override
    public void step() {
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            if (p.grad() == null) continue;
            if (m[i] == null) {
                m[i] = Tensor.wrap(new float[p.size()], p.shapeRef());
                v[i] = Tensor.wrap(new float[p.size()], p.shapeRef());
            }
            int step = ++steps[i];
            float[] pd = p.data(), gd = p.grad().data(), md = m[i].data(), vd = v[i].data();
            update(
                    p.size(),
                    (lo, hi) ->
                            Kernels.optim()
                                    .adam(
                                            pd,
                                            gd,
                                            md,
                                            vd,
                                            lo,
                                            hi,
                                            lr,
                                            beta1,
                                            beta2,
                                            eps,
                                            weightDecay,
                                            decoupled,
                                            step));
        }
    }

    /** Steps taken for parameter {@code i}. */
    public int steps(int i) {
        return steps[i];
    }

    @Override
    public Map<String, String> counters() {
        Map<String, String> c = new java.util.LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++)
            if (steps[i] > 0) c.put(i + ".step", String.valueOf(steps[i]));
        return c;
    }

    @Override
    public void loadState(Map<String, Tensor> state, Map<String, String> counters) {
        for (int i = 0; i < params.size(); i++) {
            Tensor em = state.get(i + ".exp_avg"), ev = state.get(i + ".exp_avg_sq");
            m[i] = em == null ? null : restored(i, em, i + ".exp_avg");
            v[i] = ev == null ? null : restored(i, ev, i + ".exp_avg_sq");
            String st = counters.get(i + ".step");
            steps[i] = st == null ? 0 : Integer.parseInt(st);
            if ((m[i] == null) != (steps[i] == 0)) {
                throw new IllegalArgumentException(
                        "Adam state of parameter " + i + ": moments and step count disagree");
            }
        }
    }

    @Override
    public Map<String, Tensor> state() {
        Map<String, Tensor> s = newStateMap();
        for (int i = 0; i < params.size(); i++) {
            if (m[i] == null) continue;
            s.put(i + ".exp_avg", m[i]);
            s.put(i + ".exp_avg_sq", v[i]);
        }
        return s;
    }
}
