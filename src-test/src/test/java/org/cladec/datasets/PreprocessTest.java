package org.cladec.datasets;

import static org.cladec.testing.Close.assertClose;
import static org.cladec.testing.Fixtures.tensor;
import static org.cladec.testing.Fixtures.torchCases;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.joml.Matrix3x2f;
import org.junit.jupiter.api.Test;

class PreprocessTest {
    @Test
    void resizeMatchesPyTorchInterpolate() {
        for (JsonNode c : torchCases("interpolate")) {
            Tensor x = tensor(c, "x"), ref = tensor(c, "out");
            Resize.Mode mode =
                    c.get("config").get("mode").asText().equals("nearest")
                            ? Resize.Mode.NEAREST
                            : Resize.Mode.BILINEAR;
            float[] out = new float[ref.size()];
            Resize.resize(
                    mode,
                    x.data(),
                    0,
                    x.shape(0),
                    x.shape(1),
                    x.shape(2),
                    out,
                    0,
                    ref.shape(1),
                    ref.shape(2));
            assertClose(
                    ref.data(),
                    out,
                    1e-6,
                    1e-5,
                    "interpolate "
                            + mode
                            + " "
                            + Arrays.toString(x.shape())
                            + " -> "
                            + Arrays.toString(ref.shape()));
        }
    }

    @Test
    void resizeKeepsAConstantImageConstant() {
        float[] src = new float[3 * 28 * 28];
        Arrays.fill(src, 0.37f);
        for (Resize.Mode m : Resize.Mode.values()) {
            float[] dst = new float[3 * 32 * 32];
            Resize.resize(m, src, 0, 3, 28, 28, dst, 0, 32, 32);
            for (float v : dst) assertEquals(0.37f, v, 1e-6f, m.toString());
        }
    }

    private static float[] randomImage(int c, int h, int w) {
        Rng r = new Rng(3);
        float[] a = new float[c * h * w];
        for (int i = 0; i < a.length; i++) a[i] = r.nextFloat();
        return a;
    }

    @Test
    void identityAffineLeavesTheImageUnchanged() {
        float[] img = randomImage(2, 9, 7), out = new float[img.length];
        Augment.apply(Augment.inverseMap(9, 7, 0, 0, 0, 1, false), img, 0, out, 0, 2, 9, 7);
        assertClose(img, out, 1e-6, 0, "identity transform");
        Augment.apply(new Augment(0, 0, 0, 0).draw(new Rng(1), 9, 7), img, 0, out, 0, 2, 9, 7);
        assertClose(img, out, 1e-6, 0, "a no-op augmentation");
    }

    @Test
    void twoFlipsAreTheIdentityAndOneFlipMirrors() {
        float[] img = randomImage(1, 6, 5),
                once = new float[img.length],
                twice = new float[img.length];
        Matrix3x2f flip = Augment.inverseMap(6, 5, 0, 0, 0, 1, true);
        Augment.apply(flip, img, 0, once, 0, 1, 6, 5);
        Augment.apply(flip, once, 0, twice, 0, 1, 6, 5);
        assertClose(img, twice, 1e-6, 0, "flip twice");
        for (int y = 0; y < 6; y++)
            for (int x = 0; x < 5; x++) assertEquals(img[y * 5 + 4 - x], once[y * 5 + x], 1e-6f);
    }

    @Test
    void translationShiftsPixelsAndFillsWithZero() {
        float[] img = randomImage(1, 5, 5), out = new float[25];
        Augment.apply(Augment.inverseMap(5, 5, 2, 0, 0, 1, false), img, 0, out, 0, 1, 5, 5);
        for (int y = 0; y < 5; y++) {
            assertEquals(0f, out[y * 5], 0f);
            assertEquals(0f, out[y * 5 + 1], 0f);
            for (int x = 2; x < 5; x++) assertEquals(img[y * 5 + x - 2], out[y * 5 + x], 1e-6f);
        }
    }

    @Test
    void augmentationIsDeterministicForASeed() {
        Augment a = new Augment(2, 15, 0.1f, 0.5f);
        float[] img = randomImage(1, 12, 12), o1 = new float[144], o2 = new float[144];
        Augment.apply(a.draw(new Rng(8), 12, 12), img, 0, o1, 0, 1, 12, 12);
        Augment.apply(a.draw(new Rng(8), 12, 12), img, 0, o2, 0, 1, 12, 12);
        assertClose(o1, o2, 0, 0, "same seed");
        Augment.apply(a.draw(new Rng(9), 12, 12), img, 0, o2, 0, 1, 12, 12);
        assertFalse(Arrays.equals(o1, o2));
    }

    /**
     * Whole-pixel shifts and flips copy pixels exactly: every output pixel is zero or an input
     * pixel at an offset of at most 2 in each direction (mirrored when flipped), and over many
     * draws every offset from -2 to 2 and both flip states turn up.
     */
    @Test
    void shiftAndFlipMovesWholePixelsAndCoversEveryOffset() {
        int H = 8, W = 7;
        float[] img = new float[H * W], out = new float[H * W];
        for (int i = 0; i < img.length; i++) img[i] = 1 + i; // distinct, non-zero
        Augment a = Augment.shiftAndFlip(2, 0.5f);
        java.util.Set<String> seen = new java.util.HashSet<>();
        Rng rng = new Rng(4);
        for (int draw = 0; draw < 400; draw++) {
            Augment.apply(a.draw(rng, H, W), img, 0, out, 0, 1, H, W);
            String found = null;
            for (int flip = 0; flip < 2 && found == null; flip++)
                for (int dy = -2; dy <= 2 && found == null; dy++)
                    for (int dx = -2; dx <= 2 && found == null; dx++)
                        if (matches(img, out, H, W, dy, dx, flip == 1))
                            found = flip + "," + dy + "," + dx;
            assertNotNull(found, "draw " + draw + " is not a whole-pixel shift (and flip)");
            seen.add(found);
        }
        assertEquals(2 * 5 * 5, seen.size(), "offsets seen: " + seen);
    }

    /** Whether out(y, x) = in(y − dy, x' − dx) with x' mirrored when flipped, zero outside. */
    private static boolean matches(
            float[] in, float[] out, int H, int W, int dy, int dx, boolean flip) {
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                int sy = y - dy, sx = x - dx;
                if (flip) sx = W - 1 - sx;
                float want = sy < 0 || sy >= H || sx < 0 || sx >= W ? 0 : in[sy * W + sx];
                if (Math.abs(out[y * W + x] - want) > 1e-4f) return false;
            }
        return true;
    }
}
