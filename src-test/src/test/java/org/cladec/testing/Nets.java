package org.cladec.testing;

import org.cladec.engine.nn.Conv2d;
import org.cladec.engine.tensor.Rng;

/** Layers tests build the way the reference networks do. */
public final class Nets {
    private Nets() {}

    /**
     * A 3 × 3 convolution with padding 1 and no bias, the classifier's block convolution (a batch
     * norm follows it).
     */
    public static Conv2d conv3x3(int in, int out, int stride, Rng r) {
        return Conv2d.builder()
                .setIn(in)
                .setOut(out)
                .setKernel(3)
                .optStride(stride)
                .optPadding(1)
                .optBias(false)
                .build(r);
    }
}
