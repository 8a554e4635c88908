package org.cladec.datasets;

/**
 * Resizing of (C, H, W) float images, as PyTorch's {@code F.interpolate} for 4-d inputs with an
 * explicit output size: {@link Mode#NEAREST} (the reference code's 28x28 to 32x32) and {@link
 * Mode#BILINEAR} with {@code align_corners=False}.
 */
public final class Resize {
    private Resize() {}

    /** Interpolation mode. */
    public enum Mode {
        NEAREST,
        BILINEAR
    }

    /**
     * Resizes {@code src[srcOff..]} (C, H, W) into {@code dst[dstOff..]} (C, OH, OW). NOTE: PyTorch
     * computes the scale {@code H/OH} and the source index {@code floor(dst·scale)} in float32; so
     * does this, so that indices agree exactly.
     */
    public static void resize(
            Mode mode,
            float[] src,
            int srcOff,
            int C,
            int H,
            int W,
            float[] dst,
            int dstOff,
            int OH,
            int OW) {
        if (H == OH && W == OW) {
            System.arraycopy(src, srcOff, dst, dstOff, C * H * W);
            return;
        }
        float sh = (float) H / OH, sw = (float) W / OW;
        for (int c = 0; c < C; c++) {
            int s = srcOff + c * H * W, d = dstOff + c * OH * OW;
            if (mode == Mode.NEAREST) {
                for (int oh = 0; oh < OH; oh++) {
                    int ih = Math.min((int) Math.floor(oh * sh), H - 1);
                    for (int ow = 0; ow < OW; ow++) {
                        int iw = Math.min((int) Math.floor(ow * sw), W - 1);
                        dst[d + oh * OW + ow] = src[s + ih * W + iw];
                    }
                }
            } else {
                for (int oh = 0; oh < OH; oh++) {
                    float fy = Math.max((oh + 0.5f) * sh - 0.5f, 0f);
                    int y0 = Math.min((int) fy, H - 1), y1 = Math.min(y0 + 1, H - 1);
                    float ly = fy - y0;
                    for (int ow = 0; ow < OW; ow++) {
                        float fx = Math.max((ow + 0.5f) * sw - 0.5f, 0f);
                        int x0 = Math.min((int) fx, W - 1), x1 = Math.min(x0 + 1, W - 1);
                        float lx = fx - x0;
                        float top = (1 - lx) * src[s + y0 * W + x0] + lx * src[s + y0 * W + x1];
                        float bot = (1 - lx) * src[s + y1 * W + x0] + lx * src[s + y1 * W + x1];
                        dst[d + oh * OW + ow] = (1 - ly) * top + ly * bot;
                    }
                }
            }
        }
    }
}
