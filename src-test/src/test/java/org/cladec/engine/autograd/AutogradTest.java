package org.cladec.engine.autograd;

import static org.cladec.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cladec.engine.nn.Conv2d;
import org.cladec.engine.nn.Linear;
import org.cladec.engine.ops.F;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;

class AutogradTest {
    @Test
    void scalarChainRule() {
        // L = (x·y + x)², dL/dx = 2(xy + x)(y + 1), dL/dy = 2(xy + x)x
        Tensor x = Tensor.of(new float[] {3}, 1).setRequiresGrad(true),
                y = Tensor.of(new float[] {-2}, 1).setRequiresGrad(true);
        Tensor u = F.add(F.mul(x, y), x);
        F.sum(F.mul(u, u)).backward();
        assertEquals(2 * (-3) * (-1), x.grad().item(), 1e-6);
        assertEquals(2 * (-3) * 3, y.grad().item(), 1e-6);
    }

    @Test
    void aTensorUsedTwiceAccumulatesBothPaths() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3).setRequiresGrad(true);
        F.sum(F.mul(x, x)).backward();
        assertClose(new float[] {2, 4, 6}, x.grad().toArray(), 1e-6, 0, "d(x²)/dx");
    }

    @Test
    void leafGradientsAccumulateAcrossBackwardPassesUntilZeroed() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2).setRequiresGrad(true);
        F.sum(F.mul(x, 3f)).backward();
        F.sum(F.mul(x, 3f)).backward();
        assertClose(new float[] {6, 6}, x.grad().toArray(), 0, 0, "accumulated");
        x.zeroGrad();
        assertClose(new float[] {0, 0}, x.grad().toArray(), 0, 0, "zeroed");
    }

    @Test
    void noGradRecordsNothing() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2).setRequiresGrad(true);
        Tensor y;
        try (NoGrad g = NoGrad.enter()) {
            assertFalse(Autograd.isEnabled());
            y = F.mul(x, 2f);
            try (NoGrad inner = NoGrad.enter()) {
                assertFalse(Autograd.isEnabled());
            }
            assertFalse(Autograd.isEnabled(), "nested scopes restore the outer one");
        }
        assertTrue(Autograd.isEnabled());
        assertFalse(y.requiresGrad());
        assertNull(y.node());
        assertThrows(IllegalStateException.class, () -> F.sum(y).backward());
    }

    @Test
    void gradientsFlowThroughFrozenParametersToTheInput() {
        // ClaDec's situation: a frozen network, a trainable input (the reconstruction).
        Rng rng = new Rng(3);
        Conv2d conv = Conv2d.builder().setIn(1).setOut(2).setKernel(3).build(rng);
        Linear lin = Linear.of(2 * 3 * 3, 4, rng);
        conv.setRequiresGrad(false);
        lin.setRequiresGrad(false);
        float[] wBefore = conv.weight().toArray();
        Tensor img = Tensor.uniform(rng, 0, 1, 2, 1, 5, 5).setRequiresGrad(true);
        Tensor logits = lin.forward(F.flatten(F.relu(conv.forward(img))));
        F.crossEntropy(logits, new int[] {1, 3}).backward();
        assertNotNull(img.grad());
        assertNull(conv.weight().grad(), "frozen weights get no gradient buffer at all");
        assertNull(lin.weight().grad());
        assertClose(wBefore, conv.weight().toArray(), 0, 0, "frozen weights unchanged");
        double norm = 0;
        for (float g : img.grad().toArray()) norm += g * g;
        assertTrue(norm > 0, "the input gradient is not zero");
    }

    @Test
    void backwardNeedsAOneElementLossAndReleasesTheGraph() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2).setRequiresGrad(true);
        Tensor y = F.mul(x, 2f);
        assertThrows(IllegalArgumentException.class, y::backward);
        Tensor loss = F.sum(y);
        loss.backward();
        assertNull(loss.node(), "the graph is released after backward");
        assertNull(y.node());
    }

    @Test
    void aLeafLossGetsGradientOne() {
        Tensor x = Tensor.of(new float[] {5}, 1).setRequiresGrad(true);
        x.backward();
        assertEquals(1f, x.grad().item());
    }

    @Test
    void deepGraphsDoNotOverflowTheStack() {
        Tensor x = Tensor.of(new float[] {1}, 1).setRequiresGrad(true);
        Tensor y = x;
        for (int i = 0; i < 20_000; i++) y = F.add(y, 0f);
        F.sum(y).backward();
        assertEquals(1f, x.grad().item());
    }
}
