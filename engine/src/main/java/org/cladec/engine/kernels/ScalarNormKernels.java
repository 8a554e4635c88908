package org.cladec.engine.kernels;

/** Reference batch-norm kernels; sums are accumulated in double for a trustworthy oracle. */
public final class ScalarNormKernels implements NormKernels {

    @Override
    public void blockSums(
            double[] part, float[] x, float[] mean, int N, int C, int HW, int bLo, int bHi) {
        for (int blk = bLo; blk < bHi; blk++) {
            int n0 = blk * BLOCK, n1 = Math.min(N, n0 + BLOCK);
            for (int c = 0; c < C; c++) {
                double s = 0, mu = mean == null ? 0 : mean[c];
                for (int n = n0; n < n1; n++) {
                    int base = (n * C + c) * HW;
                    for (int i = 0; i < HW; i++) {
                        double v = x[base + i];
                        s += mean == null ? v : (v - mu) * (v - mu);
                    }
                }
                part[blk * C + c] = s;
            }
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
            int nLo,
            int nHi) {
        for (int n = nLo; n < nHi; n++) {
            for (int c = 0; c < C; c++) {
                float scale = NormKernels.scale(invStd, gamma, c);
                float shift = NormKernels.shift(mean, beta, c, scale);
                affine(out, x, (n * C + c) * HW, HW, scale, shift, relu);
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
    public void gradientSums(
            double[] sumDy,
            double[] sumDyX,
            float[] dOut,
            float[] reluOut,
            float[] x,
            float[] mean,
            int N,
            int C,
            int HW,
            int bLo,
            int bHi) {
        for (int blk = bLo; blk < bHi; blk++) {
            int n0 = blk * BLOCK, n1 = Math.min(N, n0 + BLOCK);
            for (int c = 0; c < C; c++) {
                double s1 = 0, s2 = 0, mu = mean[c];
                for (int n = n0; n < n1; n++) {
                    int base = (n * C + c) * HW;
                    for (int i = 0; i < HW; i++) {
                        double dy = dy(dOut, reluOut, base + i);
                        s1 += dy;
                        s2 += dy * (x[base + i] - mu);
                    }
                }
                sumDy[blk * C + c] = s1;
                sumDyX[blk * C + c] = s2;
            }
        }
    }

    @Override
    public void inputGradient(
            float[] dx,
            float[] dOut,
            float[] reluOut,
            float[] x,
            float[] mean,
            float[] k,
            float[] ka,
            float[] kb,
            int N,
            int C,
            int HW,
            int nLo,
            int nHi) {
        for (int n = nLo; n < nHi; n++) {
            for (int c = 0; c < C; c++) {
                int base = (n * C + c) * HW;
                for (int i = base; i < base + HW; i++)
                    dx[i] += k[c] * dy(dOut, reluOut, i) + (x[i] - mean[c]) * kb[c] + ka[c];
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
            int nLo,
            int nHi) {
        for (int n = nLo; n < nHi; n++) {
            for (int c = 0; c < C; c++) {
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
