package org.cladec.engine.kernels;

/** Reference batch-norm kernels; sums are accumulated in double for a trustworthy oracle. */
public final class ScalarNormKernels implements NormKernels {

    @Override
    public void meanVar(
            float[] mean, float[] var, float[] x, int N, int C, int HW, int cLo, int cHi) {
        double m = (double) N * HW;
        for (int c = cLo; c < cHi; c++) {
            double s = 0;
            for (int n = 0; n < N; n++) {
                int base = (n * C + c) * HW;
                for (int i = 0; i < HW; i++) s += x[base + i];
            }
            double mu = s / m;
            double ss = 0; // two passes: no catastrophic cancellation of E[x²] − E[x]²
            for (int n = 0; n < N; n++) {
                int base = (n * C + c) * HW;
                for (int i = 0; i < HW; i++) {
                    double d = x[base + i] - mu;
                    ss += d * d;
                }
            }
            mean[c] = (float) mu;
            var[c] = (float) (ss / m);
        }
    }

    @Override
    public void normalize(
            float[] out,
            float[] x,
            float[] mean,
            float[] invStd,
            float[] gamma,
            float[] beta,
            boolean relu,
            int N,
            int C,
            int HW,
            int cLo,
            int cHi) {
        for (int c = cLo; c < cHi; c++) {
            float scale = NormKernels.scale(invStd, gamma, c);
            float shift = NormKernels.shift(mean, beta, c, scale);
            for (int n = 0; n < N; n++) {
                int base = (n * C + c) * HW;
                affine(out, x, base, HW, scale, shift, relu);
            }
        }
    }

    /** {@code out[o + i] = x[o + i]·scale + shift} (then ReLU if asked) for i < n. */
    private static void affine(
            float[] out, float[] x, int o, int n, float scale, float shift, boolean relu) {
        for (int i = 0; i < n; i++) {
            float y = x[o + i] * scale + shift;
            out[o + i] = relu ? ScalarElementwiseKernels.relu(y) : y;
        }
    }

    /**
     * {@code out[n, c, ·] = relu(out[n, c, ·]·scale[c] + shift[c])} for images [nLo, nHi) and
     * channels [cLo, cHi) of an (N, C, HW) tensor, in place: {@link #normalize}'s arithmetic with
     * its scale and shift given.
     */
    public static void scaleShiftRelu(
            float[] out,
            float[] scale,
            float[] shift,
            int C,
            int HW,
            int nLo,
            int nHi,
            int cLo,
            int cHi) {
        for (int n = nLo; n < nHi; n++) {
            for (int c = cLo; c < cHi; c++) {
                affine(out, out, (n * C + c) * HW, HW, scale[c], shift[c], true);
            }
        }
    }

    @Override
    public void backward(
            float[] dx,
            float[] dGamma,
            float[] dBeta,
            float[] dOut,
            float[] reluOut,
            float[] x,
            float[] mean,
            float[] invStd,
            float[] gamma,
            boolean batchStats,
            int N,
            int C,
            int HW,
            int cLo,
            int cHi) {
        double m = (double) N * HW;
        for (int c = cLo; c < cHi; c++) {
            float mu = mean[c], is = invStd[c], g = gamma == null ? 1f : gamma[c];
            double sumDy = 0, sumDyXhat = 0;
            for (int n = 0; n < N; n++) {
                int base = (n * C + c) * HW;
                for (int i = 0; i < HW; i++) {
                    float dy = dy(dOut, reluOut, base + i);
                    sumDy += dy;
                    sumDyXhat += dy * ((x[base + i] - mu) * is);
                }
            }
            if (dGamma != null) dGamma[c] += (float) sumDyXhat;
            if (dBeta != null) dBeta[c] += (float) sumDy;
            if (dx == null) continue;
            if (batchStats) {
                float k = g * is;
                float meanDy = (float) (sumDy / m), meanDyXhat = (float) (sumDyXhat / m);
                for (int n = 0; n < N; n++) {
                    int base = (n * C + c) * HW;
                    for (int i = 0; i < HW; i++) {
                        float xhat = (x[base + i] - mu) * is;
                        dx[base + i] +=
                                k * (dy(dOut, reluOut, base + i) - meanDy - xhat * meanDyXhat);
                    }
                }
            } else {
                float k = g * is;
                for (int n = 0; n < N; n++) {
                    int base = (n * C + c) * HW;
                    for (int i = 0; i < HW; i++) dx[base + i] += k * dy(dOut, reluOut, base + i);
                }
            }
        }
    }

    @Override
    public void scaledGradient(
            float[] dst,
            boolean accumulate,
            float[] dOut,
            float[] reluOut,
            float[] scale,
            int N,
            int C,
            int HW,
            int cLo,
            int cHi) {
        for (int n = 0; n < N; n++) {
            for (int c = cLo; c < cHi; c++) {
                int base = (n * C + c) * HW;
                float k = scale[c];
                for (int i = base; i < base + HW; i++) {
                    float v = k * dy(dOut, reluOut, i);
                    dst[i] = accumulate ? dst[i] + v : v;
                }
            }
        }
    }

    /** dOut[i], or 0 where a fused ReLU's output is not positive (the SIMD tails use it too). */
    public static float dy(float[] dOut, float[] reluOut, int i) {
        return reluOut == null || reluOut[i] > 0f ? dOut[i] : 0f;
    }
}
