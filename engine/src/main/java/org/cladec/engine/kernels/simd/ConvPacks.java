package org.cladec.engine.kernels.simd;

import static org.cladec.engine.kernels.simd.Gemm.NR;

import java.util.Arrays;
import org.cladec.engine.kernels.ConvGeom;

/**
 * Convolution operands in GEMM layout. Columns of an im2col matrix index (image, output pixel) =
 * (n0 + j / OHW, j % OHW); rows k index (c, kh, kw), the layout of a weight row.
 */
final class ConvPacks {
    private ConvPacks() {}

    /**
     * Materialises the im2col matrix of images {@code [n0, n0 + cnt)}: row k = (c, kh, kw), column
     * (n − n0, oh, ow) of {@code dst[k·ld + ...]} holds {@code x[n, c, oh·SH + kh − PH, ow·SW + kw
     * − PW]}, or 0 in the padding; only channels [cLo, cHi), whose rows start at dst[0]. Loops run
     * plane by plane with each tap's valid output range clipped once, so for stride 1 the inner
     * step is an array copy.
     */
    static void im2col(
            float[] dst, int ld, float[] x, ConvGeom g, int n0, int cnt, int cLo, int cHi) {
        final int H = g.H, W = g.W, C = g.C, KH = g.KH, KW = g.KW;
        final int OH = g.OH, OW = g.OW, OHW = OH * OW;
        final int SH = g.SH, SW = g.SW, PH = g.PH, PW = g.PW;
        if (OHW == 1) {
            im2colSinglePixel(dst, ld, x, g, n0, cnt, cLo, cHi);
            return;
        }
        for (int kh = 0; kh < KH; kh++) {
            final int ohLo = ConvGeom.lo(kh, SH, PH, OH);
            final int ohHi = ConvGeom.hi(kh, SH, PH, H, OH);
            for (int kw = 0; kw < KW; kw++) {
                final int owLo = ConvGeom.lo(kw, SW, PW, OW);
                final int owHi = ConvGeom.hi(kw, SW, PW, W, OW);
                // stride 1 with output rows as wide as input rows (3x3 pad 1, 1x1): the tap's
                // valid rows are one run of x, so one copy per plane instead of one per row
                final boolean flat = SH == 1 && SW == 1 && OW == W && owHi > owLo;
                for (int c = cLo; c < cHi; c++) {
                    int rowBase = (((c - cLo) * KH + kh) * KW + kw) * ld;
                    for (int n = 0; n < cnt; n++) {
                        int row = rowBase + n * OHW;
                        int xPlane = ((n0 + n) * C + c) * H * W + (kh - PH) * W + kw - PW;
                        // NOTE: zero runs are a few floats long; Arrays.fill per run costs more
                        // than a loop.
                        for (int i = row, e = row + ohLo * OW; i < e; i++) dst[i] = 0f;
                        if (flat && ohHi > ohLo) {
                            // position j = oh·OW + ow reads x[xPlane + j]: copy from the first
                            // valid position to the last; the row loop below zeroes the edge
                            // pixels this brought in from neighbouring rows. The run starts and
                            // ends at valid positions, so it never leaves the image's plane.
                            int a = ohLo * OW + owLo, b = (ohHi - 1) * OW + owHi;
                            System.arraycopy(x, xPlane + a, dst, row + a, b - a);
                        }
                        for (int oh = ohLo; oh < ohHi; oh++) {
                            int d = row + oh * OW, xRow = xPlane + oh * SH * W;
                            for (int i = d, e = d + owLo; i < e; i++) dst[i] = 0f;
                            if (SW != 1) {
                                for (int ow = owLo; ow < owHi; ow++)
                                    dst[d + ow] = x[xRow + ow * SW];
                            } else if (!flat) { // a flat tap's rows were copied above
                                System.arraycopy(x, xRow + owLo, dst, d + owLo, owHi - owLo);
                            }
                            for (int i = d + owHi, e = d + OW; i < e; i++) dst[i] = 0f;
                        }
                        for (int i = row + ohHi * OW, e = row + OHW; i < e; i++) dst[i] = 0f;
                    }
                }
            }
        }
    }

    /**
     * im2col when each image has one output pixel: row (c, kh, kw), column n holds one tap of x.
     */
    private static void im2colSinglePixel(
            float[] dst, int ld, float[] x, ConvGeom g, int n0, int cnt, int cLo, int cHi) {
        final int H = g.H, W = g.W, C = g.C, KH = g.KH, KW = g.KW, PH = g.PH, PW = g.PW;
        for (int kh = 0; kh < KH; kh++) {
            int ih = kh - PH;
            for (int kw = 0; kw < KW; kw++) {
                int iw = kw - PW;
                boolean inside = ih >= 0 && ih < H && iw >= 0 && iw < W;
                for (int c = cLo; c < cHi; c++) {
                    int row = (((c - cLo) * KH + kh) * KW + kw) * ld;
                    if (!inside) {
                        for (int n = 0; n < cnt; n++) dst[row + n] = 0f;
                    } else {
                        int src = ((n0 * C + c) * H + ih) * W + iw, step = C * H * W;
                        for (int n = 0; n < cnt; n++) dst[row + n] = x[src + n * step];
                    }
                }
            }
        }
    }

    /**
     * An (N, rows, P) tensor seen as a (rows, N·P) matrix: {@code B(k, j = (n, p)) = t[((n0 +
     * n)·rows + k)·P + p]}. The output gradient dOut (N, OC, OH·OW) as (OC, N·OH·OW), for input
     * gradients.
     */
    static final class OutRows implements Gemm.BPack {
        float[] t;
        int rows, P, n0;

        OutRows set(float[] t, int rows, int P, int n0) {
            this.t = t;
            this.rows = rows;
            this.P = P;
            this.n0 = n0;
            return this;
        }

        @Override
        public void pack(float[] dst, int off, int k0, int kc, int j0, int nr) {
            for (int kk = 0; kk < kc; kk++) {
                int d = off + kk * NR, k = k0 + kk;
                int jj = 0;
                while (jj < nr) {
                    int j = j0 + jj, n = j / P, p = j % P, run = Math.min(nr - jj, P - p);
                    System.arraycopy(t, ((n0 + n) * rows + k) * P + p, dst, d + jj, run);
                    jj += run;
                }
                if (nr < NR) Arrays.fill(dst, d + nr, d + NR, 0f);
            }
        }
    }

    /**
     * The transpose of {@link OutRows} from channel c0 on: {@code B(r = (n, p), j) = t[((n0 +
     * n)·rows + c0 + j)·P + p]}. dOut seen as (N·OH·OW, OC), for weight gradients.
     */
    static final class OutCols implements Gemm.BPack {
        float[] t;
        int rows, P, n0, c0;

        OutCols set(float[] t, int rows, int P, int n0, int c0) {
            this.t = t;
            this.rows = rows;
            this.P = P;
            this.n0 = n0;
            this.c0 = c0;
            return this;
        }

        @Override
        public void pack(float[] dst, int off, int r0, int kc, int j0, int nr) {
            for (int kk = 0; kk < kc; kk++) {
                int r = r0 + kk, n = n0 + r / P, p = r % P, d = off + kk * NR;
                int src = (n * rows + c0 + j0) * P + p;
                for (int jj = 0; jj < nr; jj++) dst[d + jj] = t[src + jj * P];
                if (nr < NR) Arrays.fill(dst, d + nr, d + NR, 0f);
            }
        }
    }
}
