package org.cladec.engine.autograd;

import org.cladec.engine.tensor.Tensor;

/** One recorded op application: the op (holding its saved context) and the tensors it read. */
public final class Node {
    final Op op;
    final Tensor[] inputs;

    Node(Op op, Tensor[] inputs) {
        this.op = op;
        this.inputs = inputs;
    }

    /** The op, for debugging and graph inspection. */
    public Op op() {
        return op;
    }

    /** Number of inputs. */
    public int arity() {
        return inputs.length;
    }

    /** Input {@code i}. */
    public Tensor input(int i) {
        return inputs[i];
    }
}
