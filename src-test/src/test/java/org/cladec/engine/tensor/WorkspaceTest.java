package org.cladec.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.cladec.engine.nn.Conv2d;
import org.cladec.engine.nn.ReLU;
import org.cladec.engine.nn.Sequential;
import org.cladec.engine.ops.F;
import org.junit.jupiter.api.Test;

class WorkspaceTest {
    @Test
    void slotsAreReusedAcrossScopesAndGrowOnlyWhenNeeded() {
        Workspace ws = new Workspace();
        float[] a, b;
        try (Workspace.Scope s = ws.open()) {
            a = Tensor.empty(10).data();
            b = Tensor.empty(20).data();
        }
        try (Workspace.Scope s = ws.open()) {
            assertSame(a, Tensor.empty(8).data());
            float[] grown = Tensor.empty(30).data();
            assertNotSame(b, grown);
            assertEquals(30, grown.length);
        }
        assertNotSame(a, Tensor.empty(10).data(), "outside a scope, arrays are fresh");
        try (Workspace.Scope s = ws.open()) {
            assertThrows(IllegalStateException.class, ws::open);
        }
    }

    @Test
    void aTrainingStepInAScopeGivesTheSameResultAsWithout() {
        Rng rng = new Rng(1);
        Sequential net =
                new Sequential(
                        Conv2d.builder().setIn(2).setOut(3).setKernel(3).optPadding(1).build(rng),
                        new ReLU());
        Tensor x = Tensor.uniform(rng, -1, 1, 2, 2, 5, 5);
        float plain = F.mean(net.forward(x)).item();
        net.zeroGrad();
        F.mean(net.forward(x)).backward();
        float[] gradPlain = net.parameters().get(0).grad().toArray();
        Workspace ws = new Workspace();
        for (int step = 0; step < 3; step++) {
            net.zeroGrad();
            try (Workspace.Scope s = ws.open()) {
                Tensor loss = F.mean(net.forward(x));
                assertEquals(plain, loss.item());
                loss.backward();
            }
            List<Tensor> ps = net.parameters();
            org.cladec.testing.Close.assertClose(
                    gradPlain, ps.get(0).grad().toArray(), 0, 0, "step " + step);
        }
    }
}
