package org.cladec.engine.kernels.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * {@code ConvPacks.transpose} (the input gradient's wᵀ, eight rows at a time in 64 × 64 blocks)
 * against its definition, on sizes around the eight-row step and the block: remainders of rows and
 * of columns, and a single row or column.
 */
class TransposeTest {
    @Test
    void everyElementLandsAtItsTransposedPlace() {
        int[] sizes = {1, 7, 8, 9, 63, 64, 65, 130, 200};
        for (int rows : sizes)
            for (int K : sizes) {
                float[] src = new float[rows * K], dst = new float[rows * K];
                for (int i = 0; i < src.length; i++) src[i] = i + 0.5f;
                ConvPacks.transpose(dst, src, rows, K);
                for (int r = 0; r < rows; r++)
                    for (int k = 0; k < K; k++)
                        assertEquals(
                                src[r * K + k],
                                dst[k * rows + r],
                                rows + " x " + K + " at (" + r + ", " + k + ")");
            }
    }

    /**
     * A block within a wider matrix, into a block within a wider one: every element of the block
     * lands at its place, and nothing outside the block is written.
     */
    @Test
    void aBlockWithinWiderMatrices() {
        for (int rows : new int[] {1, 9, 70})
            for (int K : new int[] {1, 16, 65}) {
                int lds = K + 3, ldd = rows + 5, srcOff = 7, dstOff = 11;
                float[] src = new float[srcOff + rows * lds], dst = new float[dstOff + K * ldd + 4];
                for (int i = 0; i < src.length; i++) src[i] = i + 0.5f;
                java.util.Arrays.fill(dst, -1f);
                ConvPacks.transpose(dst, dstOff, ldd, src, srcOff, lds, rows, K);
                for (int i = 0; i < dst.length; i++) {
                    int k = (i - dstOff) / ldd, r = (i - dstOff) % ldd;
                    boolean in = i >= dstOff && k < K && r < rows;
                    float want = in ? src[srcOff + r * lds + k] : -1f;
                    assertEquals(want, dst[i], rows + " x " + K + " at " + i);
                }
            }
    }
}
