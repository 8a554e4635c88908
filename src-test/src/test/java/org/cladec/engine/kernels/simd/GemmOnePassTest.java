package org.cladec.engine.kernels.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code Gemm.gemmOnePass}: depths up to 512 in a single k-block (the direct weight gradient), and
 * the ordinary blocking below and above, against a double-precision product, into C and added to
 * it, with rows and columns that leave edge tiles.
 */
class GemmOnePassTest {
    @Test
    void matchesTheProduct() {
        Random r = new Random(12);
        Gemm.Scratch s = Gemm.SCRATCH.get();
        for (int K : new int[] {100, 257, 300, 512, 600})
            for (int[] mn : new int[][] {{7, 50}, {29, 130}, {300, 37}})
                for (boolean acc : new boolean[] {false, true}) {
                    int M = mn[0], N = mn[1];
                    float[] a = new float[M * K], b = new float[K * N], c = new float[M * N];
                    for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() - 0.5f;
                    for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() - 0.5f;
                    for (int i = 0; i < c.length; i++) c[i] = r.nextFloat() - 0.5f;
                    float[] want = new float[M * N];
                    for (int i = 0; i < M; i++)
                        for (int j = 0; j < N; j++) {
                            double sum = acc ? c[i * N + j] : 0;
                            for (int k = 0; k < K; k++) sum += (double) a[i * K + k] * b[k * N + j];
                            want[i * N + j] = (float) sum;
                        }
                    Gemm.gemmOnePass(c, 0, N, a, 0, K, 1, s.rowMajor.set(b, 0, N), M, N, K, acc, s);
                    for (int i = 0; i < c.length; i++)
                        assertEquals(
                                want[i],
                                c[i],
                                2e-6 * Math.sqrt(K) + 1e-6,
                                "M=" + M + " N=" + N + " K=" + K + " acc=" + acc + " @" + i);
                }
    }
}
