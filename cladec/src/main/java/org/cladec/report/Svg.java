package org.cladec.report;

import java.util.List;
import java.util.Locale;

/**
 * Small inline SVG line plots: axes with ticks, one polyline per series with a circle per data
 * point (class {@code pt}), a legend, and a title and description for screen readers. No scripts,
 * no fonts.
 */
final class Svg {
    private Svg() {}

    /** A named series of (x, y) points. */
    record Series(String name, double[] x, double[] y) {}

    static final String[] COLORS = {
        "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b"
    };

    static String plot(
            String title, String xLabel, String yLabel, List<Series> series, boolean logX) {
        int W = 560, H = 300, L = 64, R = 150, T = 30, B = 46;
        double xmin = Double.POSITIVE_INFINITY,
                xmax = Double.NEGATIVE_INFINITY,
                ymin = Double.POSITIVE_INFINITY,
                ymax = Double.NEGATIVE_INFINITY;
        int points = 0;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                if (!Double.isFinite(s.y()[i])) continue;
                double x = tx(s.x()[i], logX);
                xmin = Math.min(xmin, x);
                xmax = Math.max(xmax, x);
                ymin = Math.min(ymin, s.y()[i]);
                ymax = Math.max(ymax, s.y()[i]);
                points++;
            }
        }
        StringBuilder b = new StringBuilder();
        b.append(
                String.format(
                        Locale.ROOT,
                        "<svg class=\"plot\" role=\"img\" aria-labelledby=\"%1$s-t %1$s-d\" viewBox=\"0 0 %2$d %3$d\" width=\"%2$d\" height=\"%3$d\" xmlns=\"http://www.w3.org/2000/svg\">",
                        id(title),
                        W,
                        H));
        b.append("<title id=\"")
                .append(id(title))
                .append("-t\">")
                .append(Html.esc(title))
                .append("</title>");
        b.append("<desc id=\"")
                .append(id(title))
                .append("-d\">")
                .append(Html.esc(describe(series)))
                .append("</desc>");
        b.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"18\" class=\"pt-title\">%s</text>",
                        L,
                        Html.esc(title)));
        if (points == 0) {
            b.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"%d\" y=\"%d\">no data in this run</text></svg>",
                            L,
                            H / 2));
            return b.toString();
        }
        if (xmax == xmin) {
            xmin -= 1;
            xmax += 1;
        }
        if (ymax == ymin) {
            ymin -= Math.abs(ymin) * 0.1 + 1e-3;
            ymax += Math.abs(ymax) * 0.1 + 1e-3;
        }
        double pad = (ymax - ymin) * 0.05;
        ymin -= pad;
        ymax += pad;
        int pw = W - L - R, ph = H - T - B;
        b.append(
                String.format(
                        Locale.ROOT,
                        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>",
                        L,
                        T,
                        pw,
                        ph));
        for (int t = 0; t <= 4; t++) {
            double yv = ymin + (ymax - ymin) * t / 4;
            double py = T + ph - ph * (yv - ymin) / (ymax - ymin);
            b.append(
                    String.format(
                            Locale.ROOT,
                            "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" class=\"tick\">%s</text>",
                            L,
                            L + pw,
                            py,
                            py,
                            L - 4,
                            py + 4,
                            fmt(yv)));
            double xv = xmin + (xmax - xmin) * t / 4;
            double px = L + pw * (xv - xmin) / (xmax - xmin);
            b.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"tick\">%s</text>",
                            px,
                            T + ph + 16,
                            fmt(logX ? Math.pow(10, xv) : xv)));
        }
        b.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>",
                        L + pw / 2,
                        H - 8,
                        Html.esc(xLabel)));
        b.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"14\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 14 %d)\">%s</text>",
                        T + ph / 2,
                        T + ph / 2,
                        Html.esc(yLabel)));
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            String color = COLORS[k % COLORS.length];
            StringBuilder path = new StringBuilder();
            StringBuilder dots = new StringBuilder();
            for (int i = 0; i < s.x().length; i++) {
                if (!Double.isFinite(s.y()[i])) continue;
                double px = L + pw * (tx(s.x()[i], logX) - xmin) / (xmax - xmin),
                        py = T + ph - ph * (s.y()[i] - ymin) / (ymax - ymin);
                path.append(path.length() == 0 ? "" : " ")
                        .append(String.format(Locale.ROOT, "%.1f,%.1f", px, py));
                dots.append(
                        String.format(
                                Locale.ROOT,
                                "<circle class=\"pt\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s: %s</title></circle>",
                                px,
                                py,
                                color,
                                Html.esc(s.name()),
                                fmt(s.y()[i])));
            }
            b.append(
                            String.format(
                                    Locale.ROOT,
                                    "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>",
                                    color,
                                    path))
                    .append(dots);
            int ly = T + 14 + 18 * k;
            b.append(
                    String.format(
                            Locale.ROOT,
                            "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>",
                            L + pw + 10,
                            ly - 10,
                            color,
                            L + pw + 28,
                            ly,
                            Html.esc(s.name())));
        }
        return b.append("</svg>").toString();
    }

    private static double tx(double x, boolean log) {
        return log ? Math.log10(Math.max(x, 1e-4)) : x;
    }

    static String fmt(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a < 1e-3 || a >= 1e5)) return String.format(Locale.ROOT, "%.2e", v);
        if (a < 1) return String.format(Locale.ROOT, "%.3f", v);
        return String.format(Locale.ROOT, "%.4g", v);
    }

    private static String describe(List<Series> series) {
        StringBuilder d = new StringBuilder();
        for (Series s : series) {
            d.append(s.name()).append(": ");
            for (int i = 0; i < s.y().length; i++)
                d.append(i > 0 ? ", " : "")
                        .append(fmt(s.x()[i]))
                        .append(" → ")
                        .append(fmt(s.y()[i]));
            d.append(". ");
        }
        return d.toString();
    }

    private static String id(String title) {
        return "p" + Integer.toHexString(title.hashCode());
    }
}
