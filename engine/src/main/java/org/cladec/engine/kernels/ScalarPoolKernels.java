package org.cladec.engine.kernels;

/** Reference pooling kernels. */
public final class ScalarPoolKernels implements PoolKernels {

    @Override
    public void maxForward(float[] out, int[] argmax, float[] x, PoolGeom g, int pLo, int pHi) {
        int H = g.H, W = g.W, OH = g.OH, OW = g.OW;
        for (int p = pLo; p < pHi; p++) {
            int xBase = p * H * W, oBase = p * OH * OW;
            for (int oh = 0; oh < OH; oh++) {
                int h0 = oh * g.SH - g.PH, hLo = Math.max(h0, 0), hHi = Math.min(h0 + g.KH, H);
                for (int ow = 0; ow < OW; ow++) {
                    int w0 = ow * g.SW - g.PW, wLo = Math.max(w0, 0), wHi = Math.min(w0 + g.KW, W);
                    float best = Float.NEGATIVE_INFINITY;
                    int arg = hLo * W + wLo;
                    for (int ih = hLo; ih < hHi; ih++) {
                        for (int iw = wLo; iw < wHi; iw++) {
                            float v = x[xBase + ih * W + iw];
                            // NaN wins and sticks, as in PyTorch.
                            if (v > best || (v != v && best == best)) {
                                best = v;
                                arg = ih * W + iw;
                            }
                        }
                    }
                    out[oBase + oh * OW + ow] = best;
                    argmax[oBase + oh * OW + ow] = arg;
                }
            }
        }
    }

    @Override
    public void maxBackwardAcc(
            float[] dx, float[] dOut, int[] argmax, PoolGeom g, int pLo, int pHi) {
        int HW = g.H * g.W, OHW = g.OH * g.OW;
        for (int p = pLo; p < pHi; p++) {
            for (int o = 0; o < OHW; o++) dx[p * HW + argmax[p * OHW + o]] += dOut[p * OHW + o];
        }
    }

    @Override
    public void avgForward(float[] out, float[] x, PoolGeom g, int pLo, int pHi) {
        int H = g.H, W = g.W, OH = g.OH, OW = g.OW;
        float inv = 1f / (g.KH * g.KW);
        for (int p = pLo; p < pHi; p++) {
            int xBase = p * H * W, oBase = p * OH * OW;
            for (int oh = 0; oh < OH; oh++) {
                int h0 = oh * g.SH - g.PH, hLo = Math.max(h0, 0), hHi = Math.min(h0 + g.KH, H);
                for (int ow = 0; ow < OW; ow++) {
                    int w0 = ow * g.SW - g.PW, wLo = Math.max(w0, 0), wHi = Math.min(w0 + g.KW, W);
                    float s = 0f;
                    for (int ih = hLo; ih < hHi; ih++)
                        for (int iw = wLo; iw < wHi; iw++) s += x[xBase + ih * W + iw];
                    out[oBase + oh * OW + ow] = s * inv;
                }
            }
        }
    }

    @Override
    public void avgBackwardAcc(float[] dx, float[] dOut, PoolGeom g, int pLo, int pHi) {
        int H = g.H, W = g.W, OH = g.OH, OW = g.OW;
        float inv = 1f / (g.KH * g.KW);
        for (int p = pLo; p < pHi; p++) {
            int xBase = p * H * W, oBase = p * OH * OW;
            for (int oh = 0; oh < OH; oh++) {
                int h0 = oh * g.SH - g.PH, hLo = Math.max(h0, 0), hHi = Math.min(h0 + g.KH, H);
                for (int ow = 0; ow < OW; ow++) {
                    int w0 = ow * g.SW - g.PW, wLo = Math.max(w0, 0), wHi = Math.min(w0 + g.KW, W);
                    float d = dOut[oBase + oh * OW + ow] * inv;
                    for (int ih = hLo; ih < hHi; ih++)
                        for (int iw = wLo; iw < wHi; iw++) dx[xBase + ih * W + iw] += d;
                }
            }
        }
    }
}
