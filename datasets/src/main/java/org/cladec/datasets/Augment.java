package org.cladec.datasets;

import org.cladec.engine.tensor.Rng;
import org.joml.Matrix3x2f;
import org.joml.Vector2f;

/**
 * Random affine augmentation of (C, H, W) images with JOML: translation, rotation and scale about
 * the image centre, and horizontal flips, sampled bilinearly with zero outside the image. Every
 * draw comes from the caller's {@link Rng}, so a seed reproduces the augmented data exactly.
 *
 * @param maxShift largest translation, in pixels, in each direction
 * @param maxRotateDeg largest rotation, in degrees, either way
 * @param maxScaleDelta scales are drawn from {@code [1 − d, 1 + d]}
 * @param flipProbability probability of a horizontal flip
 * @param wholePixelShifts draw translations as whole pixels in {@code [−maxShift, maxShift]}, so a
 *     shift without rotation or scale copies pixels exactly (a padded random crop) instead of
 *     blurring them by bilinear sampling
 */
public record Augment(
        float maxShift,
        float maxRotateDeg,
        float maxScaleDelta,
        float flipProbability,
        boolean wholePixelShifts) {

    public Augment {
        if (maxShift < 0
                || maxRotateDeg < 0
                || maxScaleDelta < 0
                || maxScaleDelta >= 1
                || flipProbability < 0
                || flipProbability > 1) {
            throw new IllegalArgumentException(
                    "Augment: need shift, rotation >= 0, scale delta in [0, 1) and flip probability in [0, 1]");
        }
    }

    /** Continuous shifts (sampled bilinearly). */
    public Augment(float maxShift, float maxRotateDeg, float maxScaleDelta, float flipProbability) {
        this(maxShift, maxRotateDeg, maxScaleDelta, flipProbability, false);
    }

    /** No augmentation at all. */
    public static final Augment NONE = new Augment(0, 0, 0, 0);

    /**
     * The usual augmentation of small image classifiers: shifts by whole pixels of up to {@code
     * pixels} in each direction (a random crop of the image padded with zeros) and horizontal flips
     * with probability {@code flipProbability}.
     */
    public static Augment shiftAndFlip(int pixels, float flipProbability) {
        return new Augment(pixels, 0, 0, flipProbability, true);
    }

    /** Whether this changes anything. */
    public boolean isIdentity() {
        return maxShift == 0 && maxRotateDeg == 0 && maxScaleDelta == 0 && flipProbability == 0;
    }

    /**
     * Draws a transform for an image of {@code H x W}: the matrix maps output pixel coordinates (x
     * to the right, y down) to the input coordinates to sample from.
     */
    public Matrix3x2f draw(Rng rng, int H, int W) {
        float tx = shift(rng), ty = shift(rng);
        float angle =
                maxRotateDeg == 0
                        ? 0
                        : (float) Math.toRadians(rng.uniform(-maxRotateDeg, maxRotateDeg));
        float scale = maxScaleDelta == 0 ? 1 : rng.uniform(1 - maxScaleDelta, 1 + maxScaleDelta);
        boolean flip = flipProbability > 0 && rng.nextFloat() < flipProbability;
        return inverseMap(H, W, tx, ty, angle, scale, flip);
    }

    private float shift(Rng rng) {
        if (maxShift == 0) return 0;
        if (!wholePixelShifts) return rng.uniform(-maxShift, maxShift);
        int m = (int) maxShift;
        return rng.nextInt(2 * m + 1) - m;
    }

    /**
     * The output-to-input map of "flip, then scale and rotate about the centre, then translate":
     * the inverse of the forward transform, so each output pixel knows where to sample.
     */
    public static Matrix3x2f inverseMap(
            int H, int W, float tx, float ty, float angle, float scale, boolean flip) {
        float cx = (W - 1) / 2f, cy = (H - 1) / 2f;
        Matrix3x2f forward =
                new Matrix3x2f()
                        .translate(cx + tx, cy + ty)
                        .rotate(angle)
                        .scale(flip ? -scale : scale, scale)
                        .translate(-cx, -cy);
        return forward.invert();
    }

    /**
     * Samples {@code src} (C, H, W) through {@code map} into {@code dst} (C, H, W), bilinearly,
     * zero outside.
     */
    public static void apply(
            Matrix3x2f map, float[] src, int srcOff, float[] dst, int dstOff, int C, int H, int W) {
        Vector2f p = new Vector2f();
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                map.transformPosition(p.set(x, y));
                float fx = p.x, fy = p.y;
                int x0 = (int) Math.floor(fx), y0 = (int) Math.floor(fy);
                float lx = fx - x0, ly = fy - y0;
                for (int c = 0; c < C; c++) {
                    int s = srcOff + c * H * W;
                    float v00 = at(src, s, H, W, y0, x0), v01 = at(src, s, H, W, y0, x0 + 1);
                    float v10 = at(src, s, H, W, y0 + 1, x0),
                            v11 = at(src, s, H, W, y0 + 1, x0 + 1);
                    float v =
                            (1 - ly) * ((1 - lx) * v00 + lx * v01)
                                    + ly * ((1 - lx) * v10 + lx * v11);
                    dst[dstOff + c * H * W + y * W + x] = v;
                }
            }
        }
    }

    private static float at(float[] src, int s, int H, int W, int y, int x) {
        return y < 0 || y >= H || x < 0 || x >= W ? 0f : src[s + y * W + x];
    }
}
