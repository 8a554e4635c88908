package org.cladec.engine.kernels;

import java.util.Arrays;

/**
 * The convolution formula of {@link ConvGeom} as direct loops, one multiply-add per (output, tap):
 * the oracle of {@link ScalarConvKernels}, which computes the same sums as matrix products. Too
 * slow for training (its innermost loops are one row of a 1x1 or 2x2 map deep in a network), and
 * obviously right, which is its job.
 */
final class DirectConvKernels implements ConvKernels {

    @Override
    public void forward(
            float[] out,
            float[] x,
            float[] w,
            float[] b,
            ConvGeom g,
            boolean accumulate,
            int nLo,
            int nHi) {
        final int C = g.C, H = g.H, W = g.W, OC = g.OC, KH = g.KH, KW = g.KW, OH = g.OH, OW = g.OW;
        final int SH = g.SH, SW = g.SW, PH = g.PH, PW = g.PW;
        for (int n = nLo; n < nHi; n++) {
            for (int oc = 0; oc < OC; oc++) {
                int oBase = (n * OC + oc) * OH * OW;
                if (!accumulate) Arrays.fill(out, oBase, oBase + OH * OW, 0f);
                if (b != null) for (int i = 0; i < OH * OW; i++) out[oBase + i] += b[oc];
                for (int c = 0; c < C; c++) {
                    int xPlane = (n * C + c) * H * W;
                    for (int kh = 0; kh < KH; kh++) {
                        int ohLo = ConvGeom.lo(kh, SH, PH, OH),
                                ohHi = ConvGeom.hi(kh, SH, PH, H, OH);
                        for (int kw = 0; kw < KW; kw++) {
                            float wv = w[((oc * C + c) * KH + kh) * KW + kw];
                            int owLo = ConvGeom.lo(kw, SW, PW, OW),
                                    owHi = ConvGeom.hi(kw, SW, PW, W, OW);
                            for (int oh = ohLo; oh < ohHi; oh++) {
                                int xRow = xPlane + (oh * SH + kh - PH) * W + kw - PW;
                                int oRow = oBase + oh * OW;
                                for (int ow = owLo; ow < owHi; ow++)
                                    out[oRow + ow] += wv * x[xRow + ow * SW];
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public void backwardInput(float[] dx, float[] dOut, float[] w, ConvGeom g, int nLo, int nHi) {
        final int C = g.C, H = g.H, W = g.W, OC = g.OC, KH = g.KH, KW = g.KW, OH = g.OH, OW = g.OW;
        final int SH = g.SH, SW = g.SW, PH = g.PH, PW = g.PW;
        for (int n = nLo; n < nHi; n++) {
            for (int c = 0; c < C; c++) {
                int xPlane = (n * C + c) * H * W;
                for (int oc = 0; oc < OC; oc++) {
                    int oBase = (n * OC + oc) * OH * OW;
                    for (int kh = 0; kh < KH; kh++) {
                        int ohLo = ConvGeom.lo(kh, SH, PH, OH),
                                ohHi = ConvGeom.hi(kh, SH, PH, H, OH);
                        for (int kw = 0; kw < KW; kw++) {
                            float wv = w[((oc * C + c) * KH + kh) * KW + kw];
                            int owLo = ConvGeom.lo(kw, SW, PW, OW),
                                    owHi = ConvGeom.hi(kw, SW, PW, W, OW);
                            for (int oh = ohLo; oh < ohHi; oh++) {
                                int xRow = xPlane + (oh * SH + kh - PH) * W + kw - PW;
                                int oRow = oBase + oh * OW;
                                for (int ow = owLo; ow < owHi; ow++)
                                    dx[xRow + ow * SW] += wv * dOut[oRow + ow];
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public void backwardWeight(float[] dw, float[] dOut, float[] x, ConvGeom g, int cLo, int cHi) {
        final int N = g.N,
                C = g.C,
                H = g.H,
                W = g.W,
                OC = g.OC,
                KH = g.KH,
                KW = g.KW,
                OH = g.OH,
                OW = g.OW;
        final int SH = g.SH, SW = g.SW, PH = g.PH, PW = g.PW;
        for (int oc = 0; oc < OC; oc++) {
            for (int c = cLo; c < cHi; c++) {
                for (int kh = 0; kh < KH; kh++) {
                    int ohLo = ConvGeom.lo(kh, SH, PH, OH), ohHi = ConvGeom.hi(kh, SH, PH, H, OH);
                    for (int kw = 0; kw < KW; kw++) {
                        int owLo = ConvGeom.lo(kw, SW, PW, OW),
                                owHi = ConvGeom.hi(kw, SW, PW, W, OW);
                        float s = 0f;
                        for (int n = 0; n < N; n++) {
                            int xPlane = (n * C + c) * H * W, oBase = (n * OC + oc) * OH * OW;
                            for (int oh = ohLo; oh < ohHi; oh++) {
                                int xRow = xPlane + (oh * SH + kh - PH) * W + kw - PW;
                                int oRow = oBase + oh * OW;
                                for (int ow = owLo; ow < owHi; ow++)
                                    s += dOut[oRow + ow] * x[xRow + ow * SW];
                            }
                        }
                        dw[((oc * C + c) * KH + kh) * KW + kw] += s;
                    }
                }
            }
        }
    }
}
