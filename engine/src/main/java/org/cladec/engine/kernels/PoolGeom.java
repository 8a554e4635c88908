package org.cladec.engine.kernels;

/**
 * The geometry of 2-d pooling from x (N, C, H, W) to out (N, C, OH, OW) with window (KH, KW),
 * stride (SH, SW) and padding (PH, PW); {@code OH = floor((H + 2·PH − KH) / SH) + 1}. Work is split
 * over the {@code N·C} planes.
 */
public final class PoolGeom {
    public final int N, C, H, W, KH, KW, SH, SW, PH, PW, OH, OW;

    /** Checks the window, stride and padding and computes OH and OW. */
    public PoolGeom(int N, int C, int H, int W, int KH, int KW, int SH, int SW, int PH, int PW) {
        if (KH <= 0 || KW <= 0 || SH <= 0 || SW <= 0 || PH < 0 || PW < 0) {
            throw new IllegalArgumentException(
                    String.format(
                            "pool: invalid window %dx%d stride %dx%d padding %dx%d",
                            KH, KW, SH, SW, PH, PW));
        }
        if (2 * PH > KH || 2 * PW > KW) {
            throw new IllegalArgumentException(
                    String.format(
                            "pool: padding %dx%d must be at most half the window %dx%d",
                            PH, PW, KH, KW));
        }
        this.N = N;
        this.C = C;
        this.H = H;
        this.W = W;
        this.KH = KH;
        this.KW = KW;
        this.SH = SH;
        this.SW = SW;
        this.PH = PH;
        this.PW = PW;
        this.OH = Math.floorDiv(H + 2 * PH - KH, SH) + 1;
        this.OW = Math.floorDiv(W + 2 * PW - KW, SW) + 1;
        if (OH <= 0 || OW <= 0) {
            throw new IllegalArgumentException(
                    String.format(
                            "pool: window %dx%d does not fit input %dx%d with padding %dx%d",
                            KH, KW, H, W, PH, PW));
        }
    }

    /** Number of (n, c) planes. */
    public int planes() {
        return N * C;
    }

    @Override
    public String toString() {
        return String.format(
                "PoolGeom[N=%d C=%d H=%d W=%d -> OH=%d OW=%d, k=%dx%d s=%dx%d p=%dx%d]",
                N, C, H, W, OH, OW, KH, KW, SH, SW, PH, PW);
    }
}
