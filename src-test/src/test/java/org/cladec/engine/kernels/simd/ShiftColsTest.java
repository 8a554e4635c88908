package org.cladec.engine.kernels.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.cladec.engine.kernels.ConvGeom;
import org.junit.jupiter.api.Test;

/**
 * {@code ConvPacks.ShiftCols} packs the forward's im2col panels straight from shifted source
 * planes. Its panels must equal the materialised im2col matrix's, panel by panel ({@code pack}, as
 * {@code Gemm.Packed} asks for them) and block by block ({@code packBlock}, as the GEMM asks), for
 * blocks starting mid-channel and mid-image, chunks starting past the first image and ending at the
 * last (whose shifted loads would leave x and go element by element), at both strides.
 */
class ShiftColsTest {
    private static final int L = Simd.L, NR = Gemm.NR;

    /**
     * Geometries ShiftCols takes at this vector width, from 3 × 3 convolutions at stride 1 and 2.
     */
    private static List<ConvGeom> geometries() {
        List<ConvGeom> out = new ArrayList<>();
        for (int hw : new int[] {6, 8, 10, 12, 16, 20, 24, 32})
            for (int stride = 1; stride <= 2; stride++) {
                ConvGeom g = ConvGeom.conv(5, 3, hw, hw, 7, 3, 3, stride, stride, 1, 1);
                if (ConvPacks.byShiftCols(g)) out.add(g);
            }
        return out;
    }

    /**
     * im2col by its definition: row (c − cLo)·KH·KW + kh·KW + kw, column n·OH·OW + oh·OW + ow holds
     * x[n0 + n, c, oh·SH + kh − PH, ow·SW + kw − PW], 0 outside the plane.
     */
    private static float[] im2col(float[] x, ConvGeom g, int n0, int cnt, int cLo, int cHi) {
        final int OHW = g.OH * g.OW, cols = cnt * OHW, KK = g.KH * g.KW;
        float[] m = new float[(cHi - cLo) * KK * cols];
        for (int c = cLo; c < cHi; c++)
            for (int kh = 0; kh < g.KH; kh++)
                for (int kw = 0; kw < g.KW; kw++)
                    for (int n = 0; n < cnt; n++)
                        for (int oh = 0; oh < g.OH; oh++)
                            for (int ow = 0; ow < g.OW; ow++) {
                                int ih = oh * g.SH + kh - g.PH, iw = ow * g.SW + kw - g.PW;
                                if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
                                int row = (c - cLo) * KK + kh * g.KW + kw;
                                m[row * cols + n * OHW + oh * g.OW + ow] =
                                        x[(((n0 + n) * g.C + c) * g.H + ih) * g.W + iw];
                            }
        return m;
    }

    /** An input batch of g uniform in [−1, 1). */
    private static float[] input(ConvGeom g, Random rnd) {
        float[] x = new float[g.N * g.C * g.H * g.W];
        for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat() * 2 - 1;
        return x;
    }

    @Test
    void bothStridesAreCoveredAtThisWidth() {
        boolean s1 = false, s2 = false;
        for (ConvGeom g : geometries()) {
            s1 |= g.SH == 1;
            s2 |= g.SH == 2;
        }
        assertTrue(s1 && s2, "no stride-1 or no stride-2 geometry for L = " + L);
    }

    @Test
    void panelsEqualTheMaterialisedIm2col() {
        Random rnd = new Random(11);
        Gemm.Scratch s = new Gemm.Scratch();
        for (ConvGeom g : geometries()) {
            float[] x = input(g, rnd);
            final int K = g.C * g.KH * g.KW, OHW = g.OH * g.OW;
            for (int[] chunk : new int[][] {{0, 2}, {1, 3}, {3, 2}, {0, g.N}}) {
                int n0 = chunk[0], cnt = chunk[1], cols = cnt * OHW;
                float[] ref = im2col(x, g, n0, cnt, 0, g.C);
                String what = g + " images " + n0 + ".." + (n0 + cnt);
                for (int trial = 0; trial < 12; trial++) {
                    int k0 = rnd.nextInt(K), kc = 1 + rnd.nextInt(K - k0);
                    int j0 = rnd.nextInt(cols / L) * L;
                    int nr = Math.min(NR, L * (1 + rnd.nextInt(NR / L)));
                    nr = Math.min(nr, cols - j0);
                    float[] got = new float[kc * NR + 3];
                    java.util.Arrays.fill(got, Float.NaN); // every slot must be written
                    ConvPacks.ShiftCols sc =
                            new ConvPacks.ShiftCols().set(x, g, n0, cnt, 0, g.C, s);
                    sc.pack(got, 3, k0, kc, j0, nr);
                    for (int kk = 0; kk < kc; kk++)
                        for (int jj = 0; jj < NR; jj++) {
                            float want = jj < nr ? ref[(k0 + kk) * cols + j0 + jj] : 0f;
                            assertEquals(
                                    want,
                                    got[3 + kk * NR + jj],
                                    what + " pack k " + (k0 + kk) + " col " + (j0 + jj));
                        }
                    int nc = cols - j0;
                    float[] block = new float[kc * ((nc + NR - 1) / NR) * NR];
                    java.util.Arrays.fill(block, Float.NaN);
                    sc.packBlock(block, k0, kc, j0, nc);
                    for (int jp = 0; jp < nc; jp += NR)
                        for (int kk = 0; kk < kc; kk++)
                            for (int jj = 0; jj < NR; jj++) {
                                int j = j0 + jp + jj;
                                float want = jp + jj < nc ? ref[(k0 + kk) * cols + j] : 0f;
                                assertEquals(
                                        want,
                                        block[jp * kc + kk * NR + jj],
                                        what + " packBlock k " + (k0 + kk) + " col " + j);
                            }
                }
            }
        }
    }

    @Test
    void paddingIsExactZeroWhateverLiesBesideThePlane() {
        // NaN everywhere but the chunk's images: a padding lane that loaded a neighbour's pixel
        // and was not cleared would show it
        Gemm.Scratch s = new Gemm.Scratch();
        for (ConvGeom g : geometries()) {
            int plane = g.C * g.H * g.W, n0 = 1, cnt = 2;
            float[] x = new float[g.N * plane];
            java.util.Arrays.fill(x, Float.NaN);
            for (int i = n0 * plane; i < (n0 + cnt) * plane; i++) x[i] = 1f;
            final int K = g.C * g.KH * g.KW, cols = cnt * g.OH * g.OW;
            float[] ref = im2col(x, g, n0, cnt, 0, g.C);
            float[] block = new float[K * ((cols + NR - 1) / NR) * NR];
            new ConvPacks.ShiftCols().set(x, g, n0, cnt, 0, g.C, s).packBlock(block, 0, K, 0, cols);
            for (int jp = 0; jp < cols; jp += NR)
                for (int k = 0; k < K; k++)
                    for (int jj = 0; jj < Math.min(NR, cols - jp); jj++) {
                        float v = block[jp * K + k * NR + jj];
                        assertTrue(v == 0f || v == 1f, g + " k " + k + " col " + (jp + jj));
                        assertEquals(ref[k * cols + jp + jj], v);
                    }
        }
    }

    @Test
    void theWholeMatrixOfAChannelRangeIsIm2colsRows() {
        Random rnd = new Random(5);
        Gemm.Scratch s = new Gemm.Scratch();
        for (ConvGeom g : geometries()) {
            float[] x = input(g, rnd);
            for (int[] r : new int[][] {{0, g.C}, {1, 2}, {1, g.C}, {0, 1}}) {
                int cLo = r[0], cHi = r[1], n0 = 2, cnt = g.N - 2;
                int rows = (cHi - cLo) * g.KH * g.KW, cols = cnt * g.OH * g.OW, ld = cols + 5;
                float[] got = new float[rows * ld];
                java.util.Arrays.fill(got, Float.NaN);
                new ConvPacks.ShiftCols().set(x, g, n0, cnt, cLo, cHi, s).rows(got, ld);
                float[] ref = im2col(x, g, n0, cnt, cLo, cHi);
                for (int k = 0; k < rows; k++) {
                    for (int j = 0; j < cols; j++)
                        assertEquals(
                                ref[k * cols + j],
                                got[k * ld + j],
                                g + " channels " + cLo + ".." + cHi + " row " + k + " col " + j);
                    for (int j = cols; j < ld; j++)
                        assertTrue(Float.isNaN(got[k * ld + j]), "wrote past the row's end");
                }
            }
        }
    }
}
