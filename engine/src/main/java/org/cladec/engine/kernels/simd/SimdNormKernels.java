package org.cladec.engine.kernels.simd;

import static org.cladec.engine.kernels.simd.Simd.F;
import static org.cladec.engine.kernels.simd.Simd.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import org.cladec.engine.kernels.NormKernels;
import org.cladec.engine.kernels.ScalarElementwiseKernels;
import org.cladec.engine.kernels.ScalarNormKernels;

/**
 * Batch normalisation, image by image. Planes of at least {@link #BLOCK_HW} pixels are walked one
 * (n, c) plane at a time with vectors along the plane; sums run in float vectors per plane and are
 * accumulated across planes in double, so long reductions (N·H·W up to 32768 here) stay accurate.
 *
 * <p>Smaller planes (the 4 × 4, 2 × 2 and 1 × 1 maps at the end of the classifier) would leave
 * those vectors mostly empty and pay a lane reduction per handful of pixels, so an image's C·HW
 * values are taken as one contiguous run instead: added element by element into a run of float sums
 * (a block's {@link NormKernels#BLOCK} terms each, then summed per channel in double), with
 * per-channel coefficients spread out to one per element.
 */
public final class SimdNormKernels implements NormKernels {
    /** Planes with fewer pixels take the image-at-a-time path. */
    static final int BLOCK_HW = 4 * L;

    /** Per-thread runs of sums and spread-out coefficients; grown once. */
    private static final ThreadLocal<float[][]> RUNS =
            ThreadLocal.withInitial(() -> new float[4][0]);

    private static float[] run(int i, int n) {
        float[][] r = RUNS.get();
        if (r[i].length < n) r[i] = new float[n];
        return r[i];
    }

    /** {@code dst[(c − cLo)·HW + p] = v[c]} for c in [cLo, cHi), p < HW. */
    private static void spread(float[] dst, float[] v, int HW, int cLo, int cHi) {
        for (int c = cLo; c < cHi; c++) {
            int o = (c - cLo) * HW;
            Arrays.fill(dst, o, o + HW, v[c]);
        }
    }

    /** {@code Σ_p run[(c − cLo)·HW + p]} in double. */
    private static double channelSum(float[] run, int c, int HW) {
        double s = 0;
        for (int p = c * HW, end = p + HW; p < end; p++) s += run[p];
        return s;
    }

    @Override
    public void blockSums(
            double[] part, float[] x, float[] mean, int N, int C, int HW, int bLo, int bHi) {
        if (HW < BLOCK_HW) {
            blockSumsByImage(part, x, mean, N, C, HW, bLo, bHi);
            return;
        }
        for (int blk = bLo; blk < bHi; blk++) {
            int n1 = Math.min(N, (blk + 1) * BLOCK), o = blk * C;
            Arrays.fill(part, o, o + C, 0.0);
            for (int n = blk * BLOCK; n < n1; n++) // an image's planes one after the other
            for (int c = 0; c < C; c++) {
                    int plane = (n * C + c) * HW;
                    part[o + c] +=
                            mean == null
                                    ? SimdConvKernels.sum(x, plane, HW)
                                    : sumSquaredDeviation(x, plane, HW, mean[c]);
                }
        }
    }

    /**
     * {@link #blockSums} on small planes: a block's images added element by element into one run of
     * C·HW float sums (at most {@link #BLOCK} terms each), then each channel's HW in double.
     */
    private static void blockSumsByImage(
            double[] part, float[] x, float[] mean, int N, int C, int HW, int bLo, int bHi) {
        final int len = C * HW, bound = F.loopBound(len);
        float[] acc = run(0, len), mu = mean == null ? null : run(1, len);
        if (mu != null) spread(mu, mean, HW, 0, C);
        for (int blk = bLo; blk < bHi; blk++) {
            int n1 = Math.min(N, (blk + 1) * BLOCK);
            Arrays.fill(acc, 0, len, 0f);
            for (int n = blk * BLOCK; n < n1; n++) {
                int o = n * len, j = 0;
                for (; j < bound; j += L) {
                    FloatVector v = FloatVector.fromArray(F, x, o + j),
                            s = FloatVector.fromArray(F, acc, j);
                    if (mu == null) v.add(s).intoArray(acc, j);
                    else {
                        FloatVector d = v.sub(FloatVector.fromArray(F, mu, j));
                        d.fma(d, s).intoArray(acc, j);
                    }
                }
                for (; j < len; j++) {
                    float d = mu == null ? x[o + j] : x[o + j] - mu[j];
                    acc[j] += mu == null ? d : d * d;
                }
            }
            for (int c = 0; c < C; c++) part[blk * C + c] = channelSum(acc, c, HW);
        }
    }

    private static float sumSquaredDeviation(float[] x, int off, int n, float mu) {
        int i = 0;
        float s = 0f;
        if (n >= L) {
            FloatVector acc = FloatVector.zero(F);
            for (int bound = F.loopBound(n); i < bound; i += L) {
                FloatVector d = FloatVector.fromArray(F, x, off + i).sub(mu);
                acc = d.fma(d, acc);
            }
            s = Simd.sumLanes(acc);
        }
        for (; i < n; i++) {
            float d = x[off + i] - mu;
            s += d * d;
        }
        return s;
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
        if (HW < BLOCK_HW) {
            final int len = C * HW;
            float[] sc = run(0, len), sh = run(1, len);
            for (int c = 0; c < C; c++) {
                float scale = NormKernels.scale(invStd, gamma, c);
                float shift = NormKernels.shift(mean, beta, c, scale);
                int o = c * HW;
                Arrays.fill(sc, o, o + HW, scale);
                Arrays.fill(sh, o, o + HW, shift);
            }
            affineRuns(out, x, sc, sh, len, 0, len, nLo, nHi, relu);
            return;
        }
        for (int n = nLo; n < nHi; n++)
            for (int c = 0; c < C; c++) {
                float scale = NormKernels.scale(invStd, gamma, c);
                float shift = NormKernels.shift(mean, beta, c, scale);
                int base = (n * C + c) * HW;
                affine(out, base, x, base, HW, scale, shift, relu);
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
        if (HW < BLOCK_HW) {
            gradientSumsByImage(sumDy, sumDyX, dOut, reluOut, x, mean, N, C, HW, bLo, bHi);
            return;
        }
        for (int blk = bLo; blk < bHi; blk++) {
            int n1 = Math.min(N, (blk + 1) * BLOCK), o = blk * C;
            Arrays.fill(sumDy, o, o + C, 0.0);
            Arrays.fill(sumDyX, o, o + C, 0.0);
            for (int n = blk * BLOCK; n < n1; n++)
                for (int c = 0; c < C; c++) {
                    int base = (n * C + c) * HW, i = 0;
                    float mu = mean[c];
                    FloatVector a1 = FloatVector.zero(F), a2 = FloatVector.zero(F);
                    for (int bound = F.loopBound(HW); i < bound; i += L) { // HW >= 4 vectors
                        FloatVector dy = dy(dOut, reluOut, base + i);
                        a1 = a1.add(dy);
                        a2 = dy.fma(FloatVector.fromArray(F, x, base + i).sub(mu), a2);
                    }
                    float s1 = Simd.sumLanes(a1), s2 = Simd.sumLanes(a2);
                    for (; i < HW; i++) {
                        float dy = ScalarNormKernels.dy(dOut, reluOut, base + i);
                        s1 += dy;
                        s2 += dy * (x[base + i] - mu);
                    }
                    sumDy[o + c] += s1;
                    sumDyX[o + c] += s2;
                }
        }
    }

    /** {@link #gradientSums} on small planes, element by element as {@link #blockSumsByImage}. */
    private static void gradientSumsByImage(
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
        final int len = C * HW, bound = F.loopBound(len);
        float[] a1 = run(0, len), a2 = run(1, len), mu = run(2, len);
        spread(mu, mean, HW, 0, C);
        for (int blk = bLo; blk < bHi; blk++) {
            int n1 = Math.min(N, (blk + 1) * BLOCK);
            Arrays.fill(a1, 0, len, 0f);
            Arrays.fill(a2, 0, len, 0f);
            for (int n = blk * BLOCK; n < n1; n++) {
                int o = n * len, j = 0;
                for (; j < bound; j += L) {
                    FloatVector dy = dy(dOut, reluOut, o + j);
                    dy.add(FloatVector.fromArray(F, a1, j)).intoArray(a1, j);
                    FloatVector d =
                            FloatVector.fromArray(F, x, o + j).sub(FloatVector.fromArray(F, mu, j));
                    dy.fma(d, FloatVector.fromArray(F, a2, j)).intoArray(a2, j);
                }
                for (; j < len; j++) {
                    float dy = ScalarNormKernels.dy(dOut, reluOut, o + j);
                    a1[j] += dy;
                    a2[j] += dy * (x[o + j] - mu[j]);
                }
            }
            for (int c = 0; c < C; c++) {
                sumDy[blk * C + c] = channelSum(a1, c, HW);
                sumDyX[blk * C + c] = channelSum(a2, c, HW);
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
        if (HW < BLOCK_HW) {
            final int len = C * HW;
            float[] kr = run(0, len), kar = run(1, len), mu = run(2, len), kbr = run(3, len);
            spread(kr, k, HW, 0, C);
            spread(kar, ka, HW, 0, C);
            spread(mu, mean, HW, 0, C);
            spread(kbr, kb, HW, 0, C);
            inputGradientRuns(dx, dOut, reluOut, x, mu, kr, kar, kbr, len, nLo, nHi);
            return;
        }
        for (int n = nLo; n < nHi; n++)
            for (int c = 0; c < C; c++) {
                int base = (n * C + c) * HW, i = 0;
                float mu = mean[c], kc = k[c], kac = ka[c], kbc = kb[c];
                FloatVector kbv = FloatVector.broadcast(F, kbc), kv = FloatVector.broadcast(F, kc);
                for (int bound = F.loopBound(HW); i < bound; i += L) {
                    FloatVector dxv = FloatVector.fromArray(F, dx, base + i).add(kac);
                    FloatVector t = FloatVector.fromArray(F, x, base + i).sub(mu).fma(kbv, dxv);
                    dy(dOut, reluOut, base + i).fma(kv, t).intoArray(dx, base + i);
                }
                for (; i < HW; i++)
                    dx[base + i] +=
                            kc * ScalarNormKernels.dy(dOut, reluOut, base + i)
                                    + (x[base + i] - mu) * kbc
                                    + kac;
            }
    }

    /** {@link #inputGradient} over images' runs of C·HW, the factors spread per element. */
    private static void inputGradientRuns(
            float[] dx,
            float[] dOut,
            float[] reluOut,
            float[] x,
            float[] mu,
            float[] k,
            float[] ka,
            float[] kb,
            int len,
            int nLo,
            int nHi) {
        final int bound = F.loopBound(len);
        for (int n = nLo; n < nHi; n++) {
            int o = n * len, j = 0;
            for (; j < bound; j += L) {
                FloatVector dxv =
                        FloatVector.fromArray(F, dx, o + j).add(FloatVector.fromArray(F, ka, j));
                FloatVector t =
                        FloatVector.fromArray(F, x, o + j)
                                .sub(FloatVector.fromArray(F, mu, j))
                                .fma(FloatVector.fromArray(F, kb, j), dxv);
                dy(dOut, reluOut, o + j)
                        .fma(FloatVector.fromArray(F, k, j), t)
                        .intoArray(dx, o + j);
            }
            for (; j < len; j++)
                dx[o + j] +=
                        k[j] * ScalarNormKernels.dy(dOut, reluOut, o + j)
                                + (x[o + j] - mu[j]) * kb[j]
                                + ka[j];
        }
    }

    /**
     * One rounding per element (a fused multiply-add), lanes and tail alike; over each image's run
     * of C·HW, so that planes of a few pixels fill whole vectors.
     */
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
        final int len = C * HW;
        final int bound = F.loopBound(len);
        float[] k = run(0, len);
        spread(k, scale, HW, 0, C);
        final FloatVector zero = FloatVector.zero(F);
        for (int n = nLo; n < nHi; n++) {
            int o = n * len, j = 0;
            for (; j < bound; j += L) {
                FloatVector acc = accumulate ? FloatVector.fromArray(F, dst, o + j) : zero;
                dy(dOut, reluOut, o + j)
                        .fma(FloatVector.fromArray(F, k, j), acc)
                        .intoArray(dst, o + j);
            }
            for (; j < len; j++)
                dst[o + j] =
                        Math.fma(
                                k[j],
                                ScalarNormKernels.dy(dOut, reluOut, o + j),
                                accumulate ? dst[o + j] : 0f);
        }
    }

    /**
     * {@code dst[d + i] = src[s + i]·scale + shift} (then ReLU if asked) for i < n, one rounding
     * per element, vector lanes and tail alike: {@link #normalize}'s arithmetic on one plane, and
     * the convolution's folded batch norm on a row of its product.
     */
    static void affine(
            float[] dst, int d, float[] src, int s, int n, float scale, float shift, boolean relu) {
        final FloatVector sc = FloatVector.broadcast(F, scale),
                sh = FloatVector.broadcast(F, shift);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector y = FloatVector.fromArray(F, src, s + i).fma(sc, sh);
            (relu ? relu(y) : y).intoArray(dst, d + i);
        }
        for (; i < n; i++) dst[d + i] = maybeRelu(Math.fma(src[s + i], scale, shift), relu);
    }

    /**
     * {@code out[n, c, ·] = relu(out[n, c, ·]·scale[c] + shift[c])} in place over images [nLo,
     * nHi), channels [cLo, cHi). Planes under {@link #BLOCK_HW} (2 × 2 and 1 × 1 here) go as {@link
     * #normalize} takes them: an image's channels are one run, with scale and shift spread per
     * pixel, not a call per plane.
     */
    static void scaleShiftRelu(
            float[] out,
            float[] scale,
            float[] shift,
            int C,
            int HW,
            int nLo,
            int nHi,
            int cLo,
            int cHi) {
        if (HW < BLOCK_HW) {
            final int len = (cHi - cLo) * HW;
            float[] sc = run(0, len), sh = run(1, len);
            spread(sc, scale, HW, cLo, cHi);
            spread(sh, shift, HW, cLo, cHi);
            affineRuns(out, out, sc, sh, len, cLo * HW, C * HW, nLo, nHi, true);
            return;
        }
        for (int n = nLo; n < nHi; n++)
            for (int c = cLo; c < cHi; c++) {
                int base = (n * C + c) * HW;
                affine(out, base, out, base, HW, scale[c], shift[c], true);
            }
    }

    /**
     * {@code out[o + j] = x[o + j]·sc[j] + sh[j]} (then ReLU if asked), one rounding per element,
     * for j < len and o = n·stride + first, n in [nLo, nHi): an image's channels as one run, their
     * scale and shift spread per pixel. Shared by {@link #normalize} and the convolution's folded
     * batch norm ({@link #scaleShiftRelu}) so that the two give the same bits.
     */
    private static void affineRuns(
            float[] out,
            float[] x,
            float[] sc,
            float[] sh,
            int len,
            int first,
            int stride,
            int nLo,
            int nHi,
            boolean relu) {
        for (int n = nLo; n < nHi; n++) {
            int o = n * stride + first, j = 0;
            for (int bound = F.loopBound(len); j < bound; j += L) {
                FloatVector y =
                        FloatVector.fromArray(F, x, o + j)
                                .fma(
                                        FloatVector.fromArray(F, sc, j),
                                        FloatVector.fromArray(F, sh, j));
                (relu ? relu(y) : y).intoArray(out, o + j);
            }
            for (; j < len; j++) out[o + j] = maybeRelu(Math.fma(x[o + j], sc[j], sh[j]), relu);
        }
    }

    /**
     * {@code max(y, 0)}: the Vector API's MAX has Math.max's semantics (NaN kept, −0 becomes +0),
     * those of the scalar ReLU. NOTE: a blend on "y > 0 or NaN" here compiled to the Vector API's
     * unintrinsified Java fallback on JDK 17 (JFR: blendTemplate, allocation; the fused batch norm
     * took 10% of a ClaDec step).
     */
    private static FloatVector relu(FloatVector y) {
        return y.max(0f);
    }

    private static float maybeRelu(float y, boolean relu) {
        return relu ? ScalarElementwiseKernels.relu(y) : y;
    }

    /** dOut's vector at i, zero where a fused ReLU's output is not positive. */
    private static FloatVector dy(float[] dOut, float[] reluOut, int i) {
        FloatVector d = FloatVector.fromArray(F, dOut, i);
        if (reluOut == null) return d;
        return FloatVector.zero(F)
                .blend(d, FloatVector.fromArray(F, reluOut, i).compare(VectorOperators.GT, 0f));
    }
}
