package org.cladec.engine.kernels.simd;

/**
 * The GEMM micro-kernel alone on L1-resident panels: the machine's practical FMA ceiling, against
 * which the benchmarks report every kernel. For benchmarks only.
 */
public final class Peak {
    private Peak() {}

    /** Rows and columns of one micro-kernel tile. */
    public static final int MR = Gemm.MR, NR = Gemm.NR;

    /** Runs the micro-kernel {@code reps} times over {@code kc} steps; 2·MR·NR·kc·reps FLOP. */
    public static void run(float[] a, float[] b, float[] c, int kc, int reps) {
        for (int r = 0; r < reps; r++) Gemm.kernel(a, 0, 1, MR, MR, b, 0, kc, c, 0, NR, true);
    }
}
