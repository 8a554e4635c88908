package org.cladec.engine.kernels;

/**
 * Pooling kernels over dense NCHW arrays; see {@link PoolGeom}. Each call covers the planes {@code
 * [pLo, pHi)} (plane p = n·C + c), which partitions writes for both directions.
 */
public interface PoolKernels {
    /**
     * Max pooling; {@code argmax[o]} receives the index within its input plane (ih·W + iw) of the
     * maximum, the first one on ties, as PyTorch does. Padding never wins.
     */
    void maxForward(float[] out, int[] argmax, float[] x, PoolGeom g, int pLo, int pHi);

    /** {@code dx[plane + argmax[o]] += dOut[o]}. */
    void maxBackwardAcc(float[] dx, float[] dOut, int[] argmax, PoolGeom g, int pLo, int pHi);

    /**
     * Average pooling; padded zeros count in the divisor (PyTorch's {@code
     * count_include_pad=True}).
     */
    void avgForward(float[] out, float[] x, PoolGeom g, int pLo, int pHi);

    /** {@code dx += } each output's gradient spread evenly over its window. */
    void avgBackwardAcc(float[] dx, float[] dOut, PoolGeom g, int pLo, int pHi);
}
