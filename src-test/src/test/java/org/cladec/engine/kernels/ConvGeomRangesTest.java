package org.cladec.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** ConvGeom.lo/hi against brute force, including padding wider than the output. */
class ConvGeomRangesTest {
    @Test
    void loAndHiBoundExactlyTheOutputsThatReadInsideTheInput() {
        for (int size = 1; size <= 7; size++)
            for (int k = 0; k < 7; k++)
                for (int S = 1; S <= 3; S++)
                    for (int P = 0; P <= 4; P++)
                        for (int out = 1; out <= 6; out++) {
                            int lo = ConvGeom.lo(k, S, P, out),
                                    hi = ConvGeom.hi(k, S, P, size, out);
                            String at =
                                    String.format(
                                            "k=%d S=%d P=%d size=%d out=%d", k, S, P, size, out);
                            assertTrue(
                                    0 <= lo && lo <= hi && hi <= out, at + ": " + lo + ", " + hi);
                            int inside = 0;
                            for (int o = 0; o < out; o++) {
                                int i = o * S + k - P;
                                boolean in = i >= 0 && i < size;
                                if (in) inside++;
                                assertEquals(in, o >= lo && o < hi, at + ", o=" + o);
                            }
                            assertEquals(inside, hi - lo, at);
                        }
    }
}
