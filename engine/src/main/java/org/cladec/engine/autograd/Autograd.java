package org.cladec.engine.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import org.cladec.engine.tensor.Shape;
import org.cladec.engine.tensor.Tensor;

/**
 * Reverse-mode automatic differentiation over the graph that ops record during forward.
 *
 * <p>{@link #backward(Tensor)} seeds d(loss)/d(loss) = 1, visits the recorded nodes in reverse
 * topological order, hands each op the gradient of its output and one buffer per input that needs a
 * gradient (others get {@code null}), and drops each node once used, as teenygrad's {@code
 * Tensor.backward} and llm.c's {@code gpt2_backward} do. Leaf gradients (parameters, inputs marked
 * with {@code setRequiresGrad(true)}) persist and accumulate; intermediate gradients are released.
 */
public final class Autograd {
    private Autograd() {}

    /** True unless a {@link NoGrad} scope is open on this thread. */
    public static boolean isEnabled() {
        return !NoGrad.active();
    }

    /** True when gradients are enabled and at least one of {@code inputs} requires a gradient. */
    public static boolean needsGrad(Tensor... inputs) {
        if (NoGrad.active()) return false;
        for (Tensor t : inputs) if (t != null && t.requiresGrad()) return true;
        return false;
    }

    /**
     * Records that {@code op} produced {@code out} from {@code inputs}; call only if {@link
     * #needsGrad}. An input may be null (an absent optional operand such as a bias); its gradient
     * slot stays null.
     */
    public static void record(Tensor out, Op op, Tensor... inputs) {
        out.setNode(new Node(op, inputs));
    }

    /**
     * Backpropagates from {@code root}, a one-element tensor (the loss), accumulating into the
     * {@code grad()} of every leaf that requires one.
     */
    public static void backward(Tensor root) {
        if (root.size() != 1) {
            throw new IllegalArgumentException(
                    "backward: expected a one-element loss, but got shape "
                            + Shape.str(root.shapeRef()));
        }
        if (!root.requiresGrad()) {
            throw new IllegalStateException(
                    "backward: the loss does not require grad (no parameter or input in its graph requires one)");
        }
        Tensor seed = Tensor.full(1f, root.shapeRef());
        if (root.node() == null) { // a leaf loss: its gradient is just 1
            accumulateLeaf(root, seed);
            return;
        }
        root.setGrad(seed);
        List<Tensor> order = topologicalOrder(root);
        for (int k = order.size() - 1; k >= 0; k--) {
            Tensor t = order.get(k);
            Node node = t.node();
            Tensor dOut = t.grad();
            t.setNode(null); // release the saved context
            t.setGrad(null); // intermediate gradients are not kept
            if (dOut == null) continue; // no path from the loss reached this tensor
            Tensor[] dIn = new Tensor[node.inputs.length];
            for (int i = 0; i < dIn.length; i++) {
                Tensor in = node.inputs[i];
                if (in == null || !in.requiresGrad()) continue;
                if (in.grad() == null)
                    in.setGrad(in.node() == null ? leafZeros(in) : Tensor.zeros(in.shapeRef()));
                dIn[i] = in.grad();
            }
            node.op.backward(dOut, dIn);
        }
    }

    private static Tensor leafZeros(Tensor t) {
        // Leaf gradients outlive any workspace scope, so they get their own array.
        return Tensor.wrap(new float[t.size()], t.shapeRef());
    }

    private static void accumulateLeaf(Tensor leaf, Tensor g) {
        if (leaf.grad() == null) leaf.setGrad(leafZeros(leaf));
        float[] d = leaf.grad().data();
        for (int i = 0; i < leaf.size(); i++) d[i] += g.data()[i];
    }

    /**
     * Tensors with a node, each after all tensors it depends on (iterative DFS: deep nets don't
     * overflow).
     */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        IdentityHashMap<Tensor, Boolean> visited = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>(); // {tensor, next input index}
        stack.push(new Object[] {root, 0});
        visited.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            Node n = t.node();
            int i = (Integer) frame[1];
            if (i < n.inputs.length) {
                frame[1] = i + 1;
                Tensor in = n.inputs[i];
                if (in != null && in.node() != null && visited.put(in, Boolean.TRUE) == null)
                    stack.push(new Object[] {in, 0});
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }
}
