package org.cladec.examples;

import org.cladec.engine.ops.F;
import org.cladec.engine.tensor.Tensor;

/**
 * Reverse-mode autograd on scalars: {@code L = (x·y + x)²} at x = 3, y = −2. The engine records
 * each op as it runs; {@code backward()} walks the record in reverse and leaves dL/dx and dL/dy on
 * the leaves. By hand: u = x·y + x = −3, dL/du = 2u = −6, dL/dx = dL/du·(y + 1) = 6, dL/dy =
 * dL/du·x = −18.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp cladec/target/cladec.jar
 * org.cladec.examples.AutogradExample}
 */
public final class AutogradExample {
    private AutogradExample() {}

    /** Returns {L, dL/dx, dL/dy}. */
    public static float[] run(float xv, float yv) {
        Tensor x = Tensor.scalar(xv).setRequiresGrad(true);
        Tensor y = Tensor.scalar(yv).setRequiresGrad(true);
        Tensor u = F.add(F.mul(x, y), x); // u = x·y + x
        Tensor loss = F.mul(u, u); // L = u²
        loss.backward();
        return new float[] {loss.item(), x.grad().item(), y.grad().item()};
    }

    /** Prints L and its gradients. */
    public static void main(String[] args) {
        float[] r = run(3f, -2f);
        System.out.printf("L = %.1f, dL/dx = %.1f, dL/dy = %.1f%n", r[0], r[1], r[2]);
    }
}
