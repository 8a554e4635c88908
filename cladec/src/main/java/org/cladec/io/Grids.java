package org.cladec.io;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * PNG grids of images with labelled rows and columns, e.g. rows Original | RefAE | ClaDec |
 * |Original − ClaDec| over a dozen test images, each column titled with its true and predicted
 * class. Images are (C, H, W) floats in [0, 1], grey for C = 1 and RGB for C = 3, enlarged by an
 * integer factor without smoothing. Rows marked as heat maps use black → red → yellow → white.
 */
public final class Grids {
    private Grids() {}

    /** One row: a title, one image per column, and whether to draw it as a heat map. */
    public record Row(String title, List<float[]> images, boolean heat) {}

    /** Renders the grid. {@code columnTitles} may hold two lines separated by '\n'. */
    public static BufferedImage render(
            List<Row> rows, List<String> columnTitles, int C, int H, int W, int scale) {
        int cols = columnTitles.size();
        int cell = W * scale, cellH = H * scale, gap = 4, left = 118, top = 38;
        int width = left + cols * (cell + gap) + gap,
                height = top + rows.size() * (cellH + gap) + gap;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(
                RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        for (int c = 0; c < cols; c++) {
            String[] lines = columnTitles.get(c).split("\n");
            for (int k = 0; k < lines.length && k < 2; k++) {
                String t = fit(lines[k], cell + gap, fm);
                int x = left + c * (cell + gap) + (cell - fm.stringWidth(t)) / 2;
                g.drawString(t, x, 14 + k * 14);
            }
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        for (int r = 0; r < rows.size(); r++) {
            Row row = rows.get(r);
            int y0 = top + r * (cellH + gap);
            g.setColor(Color.BLACK);
            g.drawString(row.title(), 6, y0 + cellH / 2 + 5);
            for (int c = 0; c < cols && c < row.images().size(); c++) {
                float[] im = row.images().get(c);
                int x0 = left + c * (cell + gap);
                for (int y = 0; y < H; y++) {
                    for (int x = 0; x < W; x++) {
                        int rgb = row.heat() ? heat(im, C, H, W, y, x) : pixel(im, C, H, W, y, x);
                        for (int dy = 0; dy < scale; dy++)
                            for (int dx = 0; dx < scale; dx++)
                                img.setRGB(x0 + x * scale + dx, y0 + y * scale + dy, rgb);
                    }
                }
            }
        }
        g.dispose();
        return img;
    }

    private static String fit(String s, int width, FontMetrics fm) {
        String t = s;
        while (t.length() > 1 && fm.stringWidth(t) > width) t = t.substring(0, t.length() - 1);
        return t.length() < s.length() ? t.substring(0, Math.max(1, t.length() - 1)) + "." : t;
    }

    private static int clamp255(float v) {
        return Math.max(0, Math.min(255, Math.round(v * 255f)));
    }

    private static int pixel(float[] im, int C, int H, int W, int y, int x) {
        int p = y * W + x;
        if (C == 1) {
            int v = clamp255(im[p]);
            return (v << 16) | (v << 8) | v;
        }
        return (clamp255(im[p]) << 16)
                | (clamp255(im[H * W + p]) << 8)
                | clamp255(im[2 * H * W + p]);
    }

    private static int heat(float[] im, int C, int H, int W, int y, int x) {
        float v = 0;
        for (int c = 0; c < C; c++) v += im[c * H * W + y * W + x];
        v = Math.max(0f, Math.min(1f, v / C));
        int r = clamp255(v * 3f), gr = clamp255(v * 3f - 1f), b = clamp255(v * 3f - 2f);
        return (r << 16) | (gr << 8) | b;
    }

    /** Renders and writes the grid as a PNG, atomically. */
    public static void write(
            Path file, List<Row> rows, List<String> columnTitles, int C, int H, int W, int scale)
            throws IOException {
        BufferedImage img = render(rows, columnTitles, C, H, W, scale);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (!ImageIO.write(img, "png", bytes)) throw new IOException("no PNG writer available");
        AtomicFiles.write(file, out -> bytes.writeTo(out));
    }
}
