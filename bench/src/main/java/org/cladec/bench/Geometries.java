package org.cladec.bench;

import org.cladec.engine.kernels.ConvGeom;

/**
 * Convolution geometries named like {@code c128x64x8x8to128k3s1p1} (a convolution of a 128-image
 * batch of 64x8x8 maps to 128 channels, kernel 3, stride 1, padding 1) or {@code t...} (a
 * transposed convolution from that input); the real shapes of the reference classifier and of the
 * layer −1 decoder at batch 128, plus awkward ones.
 */
final class Geometries {
    private Geometries() {}

    /**
     * Parses a name; for a transposed convolution, the geometry of the convolution it transposes.
     */
    static ConvGeom parse(String s) {
        boolean t = s.charAt(0) == 't';
        String[] io = s.substring(1).split("to");
        String[] in = io[0].split("x");
        String[] rest = io[1].split("[ksp]");
        int n = Integer.parseInt(in[0]),
                c = Integer.parseInt(in[1]),
                h = Integer.parseInt(in[2]),
                w = Integer.parseInt(in[3]);
        int oc = Integer.parseInt(rest[0]),
                k = Integer.parseInt(rest[1]),
                st = Integer.parseInt(rest[2]),
                p = Integer.parseInt(rest[3]);
        return t
                ? ConvGeom.transposed(n, c, h, w, oc, k, k, st, st, p, p, 0, 0)
                : ConvGeom.conv(n, c, h, w, oc, k, k, st, st, p, p);
    }
}
