package org.cladec.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** ConvGeom.sameButBatch, the key of the SIMD kernels' per-geometry tables and kept weights. */
class ConvGeomSameTest {
    @Test
    void onlyTheBatchSizeMayDiffer() {
        ConvGeom g = ConvGeom.conv(8, 3, 10, 12, 5, 3, 3, 2, 2, 1, 1);
        assertTrue(g.sameButBatch(g.withN(1)));
        assertTrue(g.sameButBatch(ConvGeom.conv(8, 3, 10, 12, 5, 3, 3, 2, 2, 1, 1)));
        assertFalse(g.sameButBatch(null));
        ConvGeom[] others = {
            ConvGeom.conv(8, 4, 10, 12, 5, 3, 3, 2, 2, 1, 1), // C
            ConvGeom.conv(8, 3, 11, 12, 5, 3, 3, 2, 2, 1, 1), // H (same OH)
            ConvGeom.conv(8, 3, 10, 11, 5, 3, 3, 2, 2, 1, 1), // W (same OW)
            ConvGeom.conv(8, 3, 10, 12, 6, 3, 3, 2, 2, 1, 1), // OC
            ConvGeom.conv(8, 3, 10, 12, 5, 1, 3, 2, 2, 0, 1), // KH, PH (same OH)
            ConvGeom.conv(8, 3, 10, 12, 5, 3, 1, 2, 2, 1, 0), // KW, PW (same OW)
            ConvGeom.conv(8, 3, 10, 12, 5, 3, 3, 1, 2, 1, 1), // SH
            ConvGeom.conv(8, 3, 10, 12, 5, 3, 3, 2, 1, 1, 1), // SW
            ConvGeom.conv(8, 3, 10, 12, 5, 3, 3, 2, 2, 0, 1), // PH
            ConvGeom.conv(8, 3, 10, 12, 5, 3, 3, 2, 2, 1, 0), // PW
            ConvGeom.transposed(8, 5, 5, 6, 3, 3, 3, 2, 2, 1, 1, 0, 0), // another kind entirely
        };
        for (ConvGeom o : others) {
            assertFalse(g.sameButBatch(o), o.toString());
            assertFalse(o.sameButBatch(g), o.toString());
        }
    }
}
