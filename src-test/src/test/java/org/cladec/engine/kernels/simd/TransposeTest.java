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
}
