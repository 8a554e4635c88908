package org.cladec.engine.kernels.simd;

import static org.cladec.engine.kernels.simd.Simd.F;
import static org.cladec.engine.kernels.simd.Simd.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import org.cladec.engine.kernels.ConvGeom;
import org.cladec.engine.kernels.ScalarConvKernels;

/**
 * The weight gradient and the input gradient of a convolution with one input channel (a
 * classifier's first layer, a decoder's last transposed one as its convolution), by vector loops
 * over the pixels rather than a GEMM whose narrow side would be the KH·KW taps.
 *
 * <p>Weight gradient: {@code dw[oc, t] = Σ_n Σ_p dOut[n, oc, p] · cols_n[t, p]}, cols_n the image's
 * im2col rows. As a GEMM its narrow side is the KH·KW taps (9 or 16 columns of a 48-wide register
 * tile: five times the products), and each part packed the whole im2col again: one and two threads
 * took the same 0.85 ms on the classifier's 1 → 32 layer (0.35 and 0.32 ms here). Here an image's
 * rows stay in L1 while the part's output channels run over them, two channels by four taps per
 * pass (eight independent chains of fused multiply-adds; one channel's four taps, four chains, ran
 * at 0.8 ns per vector), with one vector of partial sums per (output channel, tap) in scratch that
 * is reduced in lane order at the end; pixels past the last whole vector are summed one by one.
 * Each element is summed the same way whatever the part.
 *
 * <p>Input gradient ({@link #backwardInput}): per image, {@code dcols = wᵀ · dOut_n} by vectors of
 * pixels, then col2im.
 */
final class SingleChannel {
    private SingleChannel() {}

    /** Taps per pass over two output channels' rows of dOut: eight partial-sum vectors. */
    private static final int TAPS = 4;

    /**
     * {@code dw[oc, 0, :, :] += d(Σ out·dOut)/dw[oc, 0, :, :]} for output channels [ocLo, ocHi).
     */
    static void weightGradient(
            float[] dw, float[] dOut, float[] x, ConvGeom g, int ocLo, int ocHi, Gemm.Scratch s) {
        if (g.C != 1) throw new IllegalArgumentException("SingleChannel: C = " + g.C + ": " + g);
        final int N = g.N, OC = g.OC, KK = g.KH * g.KW, OHW = g.OH * g.OW, M = ocHi - ocLo;
        if (M <= 0) return;
        final int vecs = F.loopBound(OHW);
        // sums[(m·KK + t)·L + lane]: lane-wise partial sums; tails[m·KK + t]: pixels past vecs
        float[] sums = s.temp2(M * KK * (L + 1));
        Arrays.fill(sums, 0, M * KK * (L + 1), 0f);
        final int tails = M * KK * L;
        float[] cols = s.temp(KK * OHW); // cols[t·OHW + p] of one image
        for (int n = 0; n < N; n++) {
            ConvPacks.im2col(cols, OHW, x, g, n, 1, 0, 1, s);
            int m = 0;
            for (; m + 2 <= M; m += 2) { // two output channels: eight independent sums
                int d = (n * OC + ocLo + m) * OHW, acc = m * KK * L, t = 0;
                for (; t + TAPS <= KK; t += TAPS)
                    twoByFour(sums, acc + t * L, KK * L, dOut, d, OHW, cols, t * OHW, OHW, vecs);
                for (; t < KK; t++) {
                    oneTap(sums, acc + t * L, dOut, d, cols, t * OHW, vecs);
                    oneTap(sums, acc + (KK + t) * L, dOut, d + OHW, cols, t * OHW, vecs);
                }
                tail(sums, tails + m * KK, dOut, d, cols, KK, OHW, vecs);
                tail(sums, tails + (m + 1) * KK, dOut, d + OHW, cols, KK, OHW, vecs);
            }
            for (; m < M; m++) {
                int d = (n * OC + ocLo + m) * OHW, acc = m * KK * L;
                for (int t = 0; t < KK; t++)
                    oneTap(sums, acc + t * L, dOut, d, cols, t * OHW, vecs);
                tail(sums, tails + m * KK, dOut, d, cols, KK, OHW, vecs);
            }
        }
        for (int m = 0; m < M; m++)
            for (int t = 0; t < KK; t++) {
                float sum = Simd.sumLanes(FloatVector.fromArray(F, sums, (m * KK + t) * L));
                dw[(ocLo + m) * KK + t] += sum + sums[tails + m * KK + t];
            }
    }

    /**
     * Taps t .. t + 3 (rows c, c + ld, c + 2·ld, c + 3·ld of cols) of two output channels' rows of
     * dOut (d and d + dStride; their sums sStride apart) over the whole vectors of pixels: eight
     * independent chains of fused multiply-adds, each cols vector loaded once for both.
     */
    private static void twoByFour(
            float[] sums,
            int acc,
            int sStride,
            float[] dOut,
            int d,
            int dStride,
            float[] cols,
            int c,
            int ld,
            int vecs) {
        int b = acc + sStride;
        FloatVector a0 = FloatVector.fromArray(F, sums, acc),
                a1 = FloatVector.fromArray(F, sums, acc + L),
                a2 = FloatVector.fromArray(F, sums, acc + 2 * L),
                a3 = FloatVector.fromArray(F, sums, acc + 3 * L),
                b0 = FloatVector.fromArray(F, sums, b),
                b1 = FloatVector.fromArray(F, sums, b + L),
                b2 = FloatVector.fromArray(F, sums, b + 2 * L),
                b3 = FloatVector.fromArray(F, sums, b + 3 * L);
        int c1 = c + ld, c2 = c1 + ld, c3 = c2 + ld, e = d + dStride;
        for (int p = 0; p < vecs; p += L) {
            FloatVector u = FloatVector.fromArray(F, dOut, d + p),
                    v = FloatVector.fromArray(F, dOut, e + p);
            FloatVector k = FloatVector.fromArray(F, cols, c + p);
            a0 = u.fma(k, a0);
            b0 = v.fma(k, b0);
            k = FloatVector.fromArray(F, cols, c1 + p);
            a1 = u.fma(k, a1);
            b1 = v.fma(k, b1);
            k = FloatVector.fromArray(F, cols, c2 + p);
            a2 = u.fma(k, a2);
            b2 = v.fma(k, b2);
            k = FloatVector.fromArray(F, cols, c3 + p);
            a3 = u.fma(k, a3);
            b3 = v.fma(k, b3);
        }
        a0.intoArray(sums, acc);
        a1.intoArray(sums, acc + L);
        a2.intoArray(sums, acc + 2 * L);
        a3.intoArray(sums, acc + 3 * L);
        b0.intoArray(sums, b);
        b1.intoArray(sums, b + L);
        b2.intoArray(sums, b + 2 * L);
        b3.intoArray(sums, b + 3 * L);
    }

    /** The pixels past the last whole vector of one output channel's row, every tap. */
    private static void tail(
            float[] sums, int at, float[] dOut, int d, float[] cols, int KK, int OHW, int vecs) {
        for (int p = vecs; p < OHW; p++)
            for (int t = 0; t < KK; t++) sums[at + t] += dOut[d + p] * cols[t * OHW + p];
    }

    /** One tap (row c of cols) of one output channel's row of dOut. */
    private static void oneTap(
            float[] sums, int acc, float[] dOut, int d, float[] cols, int c, int vecs) {
        FloatVector a = FloatVector.fromArray(F, sums, acc);
        for (int p = 0; p < vecs; p += L)
            a = FloatVector.fromArray(F, dOut, d + p).fma(FloatVector.fromArray(F, cols, c + p), a);
        a.intoArray(sums, acc);
    }

    /**
     * Taps per pass of {@link #backwardInput}: eight sums in registers over the output channels.
     */
    private static final int ROWS = 8;

    /**
     * {@code dx += d(Σ out·dOut)/dx} for images [nLo, nHi): per image, {@code dcols (KH·KW, OH·OW)
     * = wᵀ · dOut_n} a vector of pixels and eight taps at a time over every output channel (w read
     * as broadcasts, dOut_n row by row), then col2im as the plain kernel does it. As a GEMM its
     * rows are the 9 or 16 taps and its depth the output channels; the plain-Java loops had been
     * the faster of the two (the decoder's last transposed convolution 2.3 ms against 5.9).
     */
    static void backwardInput(
            float[] dx, float[] dOut, float[] w, ConvGeom g, int nLo, int nHi, Gemm.Scratch s) {
        if (g.C != 1) throw new IllegalArgumentException("SingleChannel: C = " + g.C + ": " + g);
        final int OC = g.OC, KK = g.KH * g.KW, OHW = g.OH * g.OW, vecs = F.loopBound(OHW);
        float[] dcols = s.temp(KK * OHW); // dcols[t·OHW + p] of one image
        for (int n = nLo; n < nHi; n++) {
            int d = n * OC * OHW;
            int t = 0;
            for (; t + ROWS <= KK; t += ROWS)
                for (int p = 0; p < vecs; p += L) eightTaps(dcols, dOut, d, w, t, OC, KK, OHW, p);
            for (; t < KK; t++)
                for (int p = 0; p < vecs; p += L) oneRow(dcols, dOut, d, w, t, OC, KK, OHW, p);
            for (int p = vecs; p < OHW; p++) // pixels past the last whole vector, one by one
            for (int u = 0; u < KK; u++) {
                    float sum = 0f;
                    for (int oc = 0; oc < OC; oc++)
                        sum = Math.fma(w[oc * KK + u], dOut[d + oc * OHW + p], sum);
                    dcols[u * OHW + p] = sum;
                }
            ScalarConvKernels.col2im(dx, dcols, g, n, 1, OHW);
        }
    }

    /** dcols rows t .. t + 7 at pixels [p, p + L): Σ over output channels, eight chains. */
    private static void eightTaps(
            float[] dcols, float[] dOut, int d, float[] w, int t, int OC, int KK, int OHW, int p) {
        FloatVector a0 = FloatVector.zero(F),
                a1 = a0,
                a2 = a0,
                a3 = a0,
                a4 = a0,
                a5 = a0,
                a6 = a0,
                a7 = a0;
        for (int oc = 0, wi = t, di = d + p; oc < OC; oc++, wi += KK, di += OHW) {
            FloatVector v = FloatVector.fromArray(F, dOut, di);
            a0 = v.fma(FloatVector.broadcast(F, w[wi]), a0);
            a1 = v.fma(FloatVector.broadcast(F, w[wi + 1]), a1);
            a2 = v.fma(FloatVector.broadcast(F, w[wi + 2]), a2);
            a3 = v.fma(FloatVector.broadcast(F, w[wi + 3]), a3);
            a4 = v.fma(FloatVector.broadcast(F, w[wi + 4]), a4);
            a5 = v.fma(FloatVector.broadcast(F, w[wi + 5]), a5);
            a6 = v.fma(FloatVector.broadcast(F, w[wi + 6]), a6);
            a7 = v.fma(FloatVector.broadcast(F, w[wi + 7]), a7);
        }
        int o = t * OHW + p;
        a0.intoArray(dcols, o);
        a1.intoArray(dcols, o + OHW);
        a2.intoArray(dcols, o + 2 * OHW);
        a3.intoArray(dcols, o + 3 * OHW);
        a4.intoArray(dcols, o + 4 * OHW);
        a5.intoArray(dcols, o + 5 * OHW);
        a6.intoArray(dcols, o + 6 * OHW);
        a7.intoArray(dcols, o + 7 * OHW);
    }

    /** dcols row u at pixels [p, p + L). */
    private static void oneRow(
            float[] dcols, float[] dOut, int d, float[] w, int u, int OC, int KK, int OHW, int p) {
        FloatVector a = FloatVector.zero(F);
        for (int oc = 0, wi = u, di = d + p; oc < OC; oc++, wi += KK, di += OHW)
            a = FloatVector.fromArray(F, dOut, di).fma(FloatVector.broadcast(F, w[wi]), a);
        a.intoArray(dcols, u * OHW + p);
    }
}
