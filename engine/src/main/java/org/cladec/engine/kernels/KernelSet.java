package org.cladec.engine.kernels;

/** One implementation of every kernel family, chosen together. */
public record KernelSet(
        String name,
        ConvKernels conv,
        GemmKernels gemm,
        ElementwiseKernels ew,
        NormKernels norm,
        PoolKernels pool,
        LossKernels loss,
        OptimKernels optim) {

    /** The plain-Java reference kernels. */
    public static KernelSet scalar() {
        return new KernelSet(
                "scalar",
                new ScalarConvKernels(),
                new ScalarGemmKernels(),
                new ScalarElementwiseKernels(),
                new ScalarNormKernels(),
                new ScalarPoolKernels(),
                new ScalarLossKernels(),
                new ScalarOptimKernels());
    }
}
