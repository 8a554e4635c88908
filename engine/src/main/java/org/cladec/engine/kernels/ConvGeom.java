package org.cladec.engine.kernels;

/**
 * The geometry of a 2-d convolution from x (N, C, H, W) to out (N, OC, OH, OW) with weights (OC, C,
 * KH, KW), stride (SH, SW) and zero padding (PH, PW): {@code out[n,oc,oh,ow] = b[oc] + Σ_{c,kh,kw}
 * w[oc,c,kh,kw] · x[n,c,oh·SH+kh−PH, ow·SW+kw−PW]}.
 *
 * <p>A transposed convolution is described by the convolution whose input gradient it computes: its
 * input (N, Cin, Hin, Win) plays the role of out, and its output plays x. See {@link #transposed}.
 */
public final class ConvGeom {
    public final int N, C, H, W, OC, KH, KW, OH, OW, SH, SW, PH, PW;

    private ConvGeom(
            int N,
            int C,
            int H,
            int W,
            int OC,
            int KH,
            int KW,
            int SH,
            int SW,
            int PH,
            int PW,
            int OH,
            int OW) {
        this.N = N;
        this.C = C;
        this.H = H;
        this.W = W;
        this.OC = OC;
        this.KH = KH;
        this.KW = KW;
        this.SH = SH;
        this.SW = SW;
        this.PH = PH;
        this.PW = PW;
        this.OH = OH;
        this.OW = OW;
    }

    /** A convolution; OH and OW follow {@code floor((H + 2·PH − KH) / SH) + 1}. */
    public static ConvGeom conv(
            int N, int C, int H, int W, int OC, int KH, int KW, int SH, int SW, int PH, int PW) {
        int OH = Math.floorDiv(H + 2 * PH - KH, SH) + 1;
        int OW = Math.floorDiv(W + 2 * PW - KW, SW) + 1;
        return checked(new ConvGeom(N, C, H, W, OC, KH, KW, SH, SW, PH, PW, OH, OW));
    }

    /**
     * The convolution whose input gradient is the transposed convolution from (N, Cin, Hin, Win) to
     * (N, Cout, Hout, Wout), {@code Hout = (Hin − 1)·SH − 2·PH + KH + outPadH}. Its weight layout
     * (Cin, Cout, KH, KW) is the convolution's (OC, C, KH, KW), as in PyTorch.
     */
    public static ConvGeom transposed(
            int N,
            int Cin,
            int Hin,
            int Win,
            int Cout,
            int KH,
            int KW,
            int SH,
            int SW,
            int PH,
            int PW,
            int outPadH,
            int outPadW) {
        int Hout = (Hin - 1) * SH - 2 * PH + KH + outPadH;
        int Wout = (Win - 1) * SW - 2 * PW + KW + outPadW;
        return checked(new ConvGeom(N, Cout, Hout, Wout, Cin, KH, KW, SH, SW, PH, PW, Hin, Win));
    }

    private static ConvGeom checked(ConvGeom g) {
        if (g.N < 0 || g.C <= 0 || g.OC <= 0 || g.KH <= 0 || g.KW <= 0 || g.SH <= 0 || g.SW <= 0
                || g.PH < 0 || g.PW < 0) {
            throw new IllegalArgumentException("invalid convolution geometry " + g);
        }
        if (g.H <= 0 || g.W <= 0 || g.OH <= 0 || g.OW <= 0) {
            throw new IllegalArgumentException(
                    "convolution geometry has an empty spatial size: " + g);
        }
        // Sizes of all three buffers must fit an int index.
        Math.multiplyExact(Math.multiplyExact(g.N, g.C), Math.multiplyExact(g.H, g.W));
        Math.multiplyExact(Math.multiplyExact(g.N, g.OC), Math.multiplyExact(g.OH, g.OW));
        Math.multiplyExact(Math.multiplyExact(g.OC, g.C), Math.multiplyExact(g.KH, g.KW));
        return g;
    }

    /**
     * First output index {@code o} whose input index {@code o·S + k − P} is {@code >= 0}, at most
     * {@code outSize}: with it, a loop over outputs clips the padding once instead of testing every
     * element. Together with {@link #hi}: {@code 0 <= lo <= hi <= outSize} always, even when the
     * padding is wider than the output, so {@code [0, lo)}, {@code [lo, hi)} and {@code [hi,
     * outSize)} split the outputs without overlap.
     */
    public static int lo(int k, int S, int P, int outSize) {
        int t = P - k;
        return t <= 0 ? 0 : Math.min(outSize, (t + S - 1) / S);
    }

    /**
     * One past the last output index {@code o < outSize} whose input index {@code o·S + k − P} is
     * {@code < size}; never below {@link #lo}.
     */
    public static int hi(int k, int S, int P, int size, int outSize) {
        int t = size - 1 + P - k;
        int lo = lo(k, S, P, outSize);
        return t < 0 ? lo : Math.max(lo, Math.min(outSize, t / S + 1));
    }

    /** Elements of x: N·C·H·W. */
    public int xSize() {
        return N * C * H * W;
    }

    /** Elements of out: N·OC·OH·OW. */
    public int outSize() {
        return N * OC * OH * OW;
    }

    /** Elements of w: OC·C·KH·KW. */
    public int wSize() {
        return OC * C * KH * KW;
    }

    /** Multiply-adds of one forward pass times two. */
    public long flops() {
        return 2L * N * OC * OH * OW * C * KH * KW;
    }

    /**
     * Whether {@code o} is this geometry but perhaps for the batch size: what per-geometry tables
     * and packed weights are keyed on ({@code o} may be null).
     */
    public boolean sameButBatch(ConvGeom o) {
        return o != null
                && C == o.C
                && H == o.H
                && W == o.W
                && OC == o.OC
                && KH == o.KH
                && KW == o.KW
                && SH == o.SH
                && SW == o.SW
                && PH == o.PH
                && PW == o.PW
                && OH == o.OH
                && OW == o.OW;
    }

    /** The same geometry with another batch size. */
    public ConvGeom withN(int n) {
        return checked(new ConvGeom(n, C, H, W, OC, KH, KW, SH, SW, PH, PW, OH, OW));
    }

    @Override
    public String toString() {
        return String.format(
                "ConvGeom[N=%d C=%d H=%d W=%d -> OC=%d OH=%d OW=%d, k=%dx%d s=%dx%d p=%dx%d]",
                N, C, H, W, OC, OH, OW, KH, KW, SH, SW, PH, PW);
    }
}
