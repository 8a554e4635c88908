package org.cladec.engine.autograd;

import org.cladec.engine.tensor.Tensor;

/**
 * The backward half of a differentiable op. Each op is one class whose static {@code apply} runs
 * the forward pass and, when some input requires a gradient, saves only what backward reads (ReLU
 * its output, max-pool its argmax, conv its input) and records itself with {@link Autograd#record}.
 */
public interface Op {
    /**
     * Accumulates ({@code +=}) the gradient of the loss with respect to each input.
     *
     * @param dOut gradient with respect to the op's output; dense, same shape as the output. The
     *     engine drops it after this call (intermediate gradients are not kept), so an op may
     *     overwrite it as scratch
     * @param dIn one slot per input: a dense buffer shaped like that input to add into, or {@code
     *     null} when that input needs no gradient (a frozen parameter, a label), so its work is
     *     skipped
     */
    void backward(Tensor dOut, Tensor[] dIn);
}
