package org.cladec.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.Function;
import org.cladec.engine.autograd.NoGrad;
import org.cladec.engine.ops.F;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;

/**
 * Central finite-difference gradient check (teenygrad's extra/gradcheck.py, in our terms): the loss
 * is {@code L = Σ out ⊙ R} for a fixed random R, summed in double; each input element is moved by
 * ±ε and the numeric slope {@code (L+ − L−) / 2ε} is compared with the gradient that backward
 * computed.
 */
public final class GradCheck {
    private GradCheck() {}

    public static final double EPS = 1e-2, ATOL = 1e-3, RTOL = 3e-3;

    /** Checks d(Σ f(inputs)·R)/d(input) for every input that requires a gradient. */
    public static void check(String what, Function<Tensor[], Tensor> f, Tensor... inputs) {
        check(what, EPS, ATOL, RTOL, f, inputs);
    }

    public static void check(
            String what,
            double eps,
            double atol,
            double rtol,
            Function<Tensor[], Tensor> f,
            Tensor... inputs) {
        for (Tensor t : inputs) if (t.requiresGrad()) t.setGrad(null);
        Tensor out = f.apply(inputs);
        Tensor r = Tensor.uniform(new Rng(99), -1f, 1f, out.shapeRef());
        Tensor loss = F.sum(F.mul(out, r));
        loss.backward();
        float[] rd = r.data();
        for (int k = 0; k < inputs.length; k++) {
            Tensor x = inputs[k];
            if (!x.requiresGrad()) continue;
            assertNotNull(x.grad(), what + ": input " + k + " got no gradient");
            float[] analytic = x.grad().toArray();
            float[] d = x.data();
            for (int i = 0; i < x.size(); i++) {
                float orig = d[i];
                d[i] = (float) (orig + eps);
                double lp = eval(f, inputs, rd);
                d[i] = (float) (orig - eps);
                double lm = eval(f, inputs, rd);
                d[i] = orig;
                double numeric = (lp - lm) / (2 * eps);
                if (!(Math.abs(numeric - analytic[i]) <= atol + rtol * Math.abs(numeric))) {
                    fail(
                            String.format(
                                    "%s: d/d(input %d)[%d]: numeric %.6g vs analytic %.6g",
                                    what, k, i, numeric, analytic[i]));
                }
            }
        }
    }

    private static double eval(Function<Tensor[], Tensor> f, Tensor[] inputs, float[] r) {
        try (NoGrad g = NoGrad.enter()) {
            Tensor out = f.apply(inputs).dense();
            double s = 0;
            for (int i = 0; i < out.size(); i++) s += (double) out.data()[i] * r[i];
            return s;
        }
    }

    /** A leaf tensor of uniform values in [lo, hi) that requires a gradient. */
    public static Tensor param(Rng rng, float lo, float hi, int... shape) {
        return Tensor.uniform(rng, lo, hi, shape).setRequiresGrad(true);
    }

    /**
     * Uniform values whose magnitude is at least {@code gap}: keeps inputs away from kinks at 0.
     */
    public static Tensor awayFromZero(Rng rng, float gap, int... shape) {
        Tensor t = Tensor.uniform(rng, gap, 1f, shape);
        float[] d = t.data();
        for (int i = 0; i < t.size(); i++) if (rng.nextFloat() < 0.5f) d[i] = -d[i];
        return t.setRequiresGrad(true);
    }
}
