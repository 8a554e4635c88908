package org.cladec.engine.kernels.simd;

import static org.cladec.engine.kernels.simd.Simd.F;
import static org.cladec.engine.kernels.simd.Simd.L;

import jdk.incubator.vector.FloatVector;
import org.cladec.engine.kernels.NormKernels;

/**
 * Batch normalisation with vectors along each (n, c) plane. Sums run in float vectors per plane and
 * are accumulated across planes in double, so long reductions (N·H·W up to 32768 here) stay
 * accurate.
 */
public final class SimdNormKernels implements NormKernels {

    @Override
    public void meanVar(
            float[] mean, float[] var, float[] x, int N, int C, int HW, int cLo, int cHi) {
        double m = (double) N * HW;
        for (int c = cLo; c < cHi; c++) {
            double s = 0;
            for (int n = 0; n < N; n++) s += SimdConvKernels.sum(x, (n * C + c) * HW, HW);
            float mu = (float) (s / m);
            double ss = 0;
            for (int n = 0; n < N; n++) ss += sumSquaredDeviation(x, (n * C + c) * HW, HW, mu);
            mean[c] = mu;
            var[c] = (float) (ss / m);
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
            int N,
            int C,
            int HW,
            int cLo,
            int cHi) {
        for (int c = cLo; c < cHi; c++) {
            float scale = invStd[c] * (gamma == null ? 1f : gamma[c]);
            float shift = (beta == null ? 0f : beta[c]) - mean[c] * scale;
            for (int n = 0; n < N; n++) {
                int base = (n * C + c) * HW, i = 0;
                for (int bound = F.loopBound(HW); i < bound; i += L) {
                    FloatVector.fromArray(F, x, base + i)
                            .fma(scale, shift)
                            .intoArray(out, base + i);
                }
                for (; i < HW; i++) out[base + i] = x[base + i] * scale + shift;
            }
        }
    }

    @Override
    public void backward(
            float[] dx,
            float[] dGamma,
            float[] dBeta,
            float[] dOut,
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
            double sumDy = 0, sumDyX = 0; // Σ dy and Σ dy·(x − mean)
            for (int n = 0; n < N; n++) {
                int base = (n * C + c) * HW, i = 0;
                float s1 = 0f, s2 = 0f;
                if (HW >= L) {
                    FloatVector a1 = FloatVector.zero(F), a2 = FloatVector.zero(F);
                    for (int bound = F.loopBound(HW); i < bound; i += L) {
                        FloatVector dy = FloatVector.fromArray(F, dOut, base + i);
                        a1 = a1.add(dy);
                        a2 = dy.fma(FloatVector.fromArray(F, x, base + i).sub(mu), a2);
                    }
                    s1 = Simd.sumLanes(a1);
                    s2 = Simd.sumLanes(a2);
                }
                for (; i < HW; i++) {
                    s1 += dOut[base + i];
                    s2 += dOut[base + i] * (x[base + i] - mu);
                }
                sumDy += s1;
                sumDyX += s2;
            }
            double sumDyXhat = sumDyX * is;
            if (dGamma != null) dGamma[c] += (float) sumDyXhat;
            if (dBeta != null) dBeta[c] += (float) sumDy;
            if (dx == null) continue;
            float k = g * is;
            // training: dx += k·(dy − mean(dy) − x̂·mean(dy·x̂)) = k·dy + (x − mean)·kb + ka
            float ka = batchStats ? (float) (-k * sumDy / m) : 0f;
            float kb = batchStats ? (float) (-k * is * (sumDyXhat / m)) : 0f;
            FloatVector kbv = FloatVector.broadcast(F, kb), kv = FloatVector.broadcast(F, k);
            for (int n = 0; n < N; n++) {
                int base = (n * C + c) * HW, i = 0;
                for (int bound = F.loopBound(HW); i < bound; i += L) {
                    FloatVector dxv = FloatVector.fromArray(F, dx, base + i).add(ka);
                    FloatVector t = FloatVector.fromArray(F, x, base + i).sub(mu).fma(kbv, dxv);
                    FloatVector.fromArray(F, dOut, base + i).fma(kv, t).intoArray(dx, base + i);
                }

                for (; i < HW; i++)
                    dx[base + i] += k * dOut[base + i] + (x[base + i] - mu) * kb + ka;
            }
        }
    }
}
