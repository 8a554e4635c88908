package org.cladec.engine.kernels.simd;

/**
 * The GEMM micro-kernel alone on L1-resident panels: the machine's practical FMA ceiling, against
 * which the benchmarks report every kernel. For benchmarks only.
 */
public final class Peak {
    private Peak() {}

    /** Rows and columns of one micro-kernel tile. */
    public static final int MR = Gemm.MR, NR = Gemm.NR;

    /**
     * Depth of the cache blocks the GEMM hands the micro-kernel (its panels fit L1 at this depth).
     */
    public static final int KC = Gemm.KC;

    /** Runs the micro-kernel {@code reps} times over {@code kc} steps; 2·MR·NR·kc·reps FLOP. */
    public static void run(float[] a, float[] b, float[] c, int kc, int reps) {
        float[] sum = new float[MR * NR];
        for (int r = 0; r < reps; r++) Gemm.kernel(a, 0, 1, MR, MR, b, 0, kc, c, 0, NR, true, sum);
    }
}
