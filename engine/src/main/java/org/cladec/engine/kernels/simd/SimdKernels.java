package org.cladec.engine.kernels.simd;

import org.cladec.engine.kernels.KernelSet;
import org.cladec.engine.kernels.ScalarPoolKernels;

/**
 * The Vector API kernel set; loaded reflectively by {@code Kernels} only when the module is
 * readable.
 */
public final class SimdKernels {
    private SimdKernels() {}

    /** The SIMD kernels (pooling stays scalar: none of ClaDec's networks pool). */
    public static KernelSet create() {
        return new KernelSet(
                Simd.describe(),
                new SimdConvKernels(),
                new SimdGemmKernels(),
                new SimdElementwiseKernels(),
                new SimdNormKernels(),
                new ScalarPoolKernels(),
                new SimdLossKernels(),
                new SimdOptimKernels());
    }
}
