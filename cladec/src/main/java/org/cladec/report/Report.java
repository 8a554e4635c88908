package org.cladec.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cladec.io.AtomicFiles;

/**
 * Writes {@code RUN_DIR/report.html}: one self-contained page (images as data URIs, plots as inline
 * SVG, no scripts, no fonts, a Content-Security-Policy that forbids every network fetch) that opens
 * from disk in any browser. It shows the run's configuration and data, the classifier's accuracy
 * and confusion matrix, the measures per layer for ClaDec and RefAE with the better of each pair
 * marked, per layer the grid and the per-class gallery, the gradient-saliency and Grad-CAM
 * baselines, and plots of the training losses, the alpha trade-off and the measures per layer.
 * Anything a run lacks is said in place instead of failing.
 */
public final class Report {
    private Report() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Builds the report of {@code runDir}, with notes on anything missing; returns the file
     * written.
     */
    public static Path write(Path runDir, List<String> notes) throws IOException {
        Path out = runDir.resolve("report.html");
        AtomicFiles.writeString(out, html(runDir, notes));
        return out;
    }

    static JsonNode readJson(Path f) {
        try {
            return Files.isRegularFile(f) ? JSON.readTree(f.toFile()) : MissingNode.getInstance();
        } catch (IOException e) {
            return MissingNode.getInstance();
        }
    }

    static String html(Path runDir, List<String> notes) throws IOException {
        JsonNode cfg = readJson(runDir.resolve("config.json")),
                m = readJson(runDir.resolve("metrics.json"));
        List<String> classes = new ArrayList<>();
        m.path("data").path("classes").forEach(c -> classes.add(c.asText()));
        StringBuilder b = new StringBuilder(1 << 16);
        String runName =
                runDir.toAbsolutePath().normalize().getFileName() == null
                        ? runDir.toString()
                        : runDir.toAbsolutePath().normalize().getFileName().toString();
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append(
                        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">")
                .append("<title>ClaDec report: ")
                .append(Html.esc(runName))
                .append("</title><style>")
                .append(CSS)
                .append("</style></head><body><main>\n");
        b.append("<h1>ClaDec report: ").append(Html.esc(runName)).append("</h1>\n");
        b.append(
                        "<p class=\"lead\">What layers of a classifier keep, shown by decoding their activations (ClaDec), against a reference autoencoder "
                                + "(RefAE) with the same architecture trained on reconstruction alone. Run folder: <code>")
                .append(Html.esc(runDir.toAbsolutePath().normalize().toString()))
                .append("</code>.</p>\n");
        for (String n : notes)
            b.append("<p class=\"missing\" role=\"note\">Not shown: ")
                    .append(Html.esc(n))
                    .append(".</p>\n");

        // -------- configuration and data
        b.append(
                "<section id=\"config\"><h2>Run</h2><table class=\"kv\"><caption>Configuration and data</caption><tbody>");
        kv(b, "Data", m.path("data").path("source").asText("not recorded"));
        kv(
                b,
                "Images",
                m.path("data").has("train")
                        ? m.path("data").path("train").asInt()
                                + " training, "
                                + m.path("data").path("test").asInt()
                                + " test"
                        : "not recorded");
        kv(b, "Classes", classes.isEmpty() ? "not recorded" : String.join(", ", classes));
        kv(
                b,
                "Kernels, threads",
                m.path("kernels").asText("?")
                        + ", "
                        + m.path("threads").asText("?")
                        + " (Java "
                        + m.path("java").asText("?")
                        + ")");
        if (cfg.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = cfg.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                kv(
                        b,
                        e.getKey(),
                        e.getValue().isNull()
                                ? "default"
                                : e.getValue().toString().replace("\"", ""));
            }
        } else {
            kv(b, "Configuration", "config.json is missing");
        }
        if (m.has("wall_seconds"))
            kv(
                    b,
                    "Wall time",
                    String.format(Locale.ROOT, "%.1f min", m.get("wall_seconds").asDouble() / 60));
        b.append("</tbody></table></section>\n");

        // -------- classifier
        JsonNode clf = m.path("classifier");
        b.append("<section id=\"classifier\"><h2>Classifier</h2>");
        b.append("<p>Test accuracy: <strong>")
                .append(pct(clf.path("test_accuracy")))
                .append("</strong>");
        if (clf.has("parameters"))
            b.append(
                    String.format(
                            Locale.ROOT, " (%,d parameters)", clf.get("parameters").asLong()));
        b.append(".</p>");
        confusion(b, clf.path("confusion"), classes);
        b.append("</section>\n");

        // -------- measures
        measures(b, m.path("layers"));

        // -------- per layer pictures
        b.append("<section id=\"layers\"><h2>Reconstructions per layer</h2>");
        JsonNode layers = m.path("layers");
        if (!layers.isArray() || layers.isEmpty())
            b.append("<p class=\"missing\">No layer was explained in this run.</p>");
        for (JsonNode l : layers) {
            int idx = l.path("layer").asInt();
            String name =
                    "layer "
                            + idx
                            + " ("
                            + l.path("name").asText()
                            + ", "
                            + shape(l.path("shape"))
                            + ")";
            b.append("<h3>").append(Html.esc(name)).append("</h3>");
            image(
                    b,
                    runDir.resolve("grids/layer" + idx + ".png"),
                    "Grid for "
                            + name
                            + ": rows Original, RefAE, ClaDec and the absolute difference"
                            + " between original and ClaDec reconstruction, one column per test image titled with its true and predicted class.");
            image(
                    b,
                    runDir.resolve("grids/gallery-layer" + idx + ".png"),
                    "Per-class gallery for "
                            + name
                            + ": one row per class, each with test images"
                            + " followed by their ClaDec and RefAE reconstructions.");
        }
        b.append("</section>\n");

        // -------- baselines
        b.append(
                "<section id=\"baselines\"><h2>Baselines: gradient saliency and Grad-CAM</h2><p>For the same test images, two classic explanations"
                        + " computed with the engine's autograd: |∂ logit<sub>y</sub> / ∂ x| and Grad-CAM at the last conv block whose maps are larger than 1×1."
                        + " They show where the classifier looks; ClaDec shows what it keeps.</p>");
        image(
                b,
                runDir.resolve("grids/baselines.png"),
                "Baselines: rows Original, gradient saliency map and Grad-CAM map for each test image.");
        b.append("</section>\n");

        // -------- plots
        b.append("<section id=\"plots\"><h2>Plots</h2>");
        b.append(lossPlot(m));
        b.append(sweepPlot(m.path("alpha_sweep")));
        b.append(layerPlot(m.path("layers")));
        b.append("</section>\n");
        b.append(
                "<footer><p>Written by cladec report. Method: Schneider &amp; Vlachos, \"Explaining Neural Networks by Decoding Layer Activations\","
                        + " IDA 2021 (arXiv 2005.13630).</p></footer></main></body></html>\n");
        return b.toString();
    }

    private static void kv(StringBuilder b, String k, String v) {
        b.append("<tr><th scope=\"row\">")
                .append(Html.esc(k))
                .append("</th><td>")
                .append(Html.esc(v))
                .append("</td></tr>");
    }

    static String pct(JsonNode v) {
        return v != null && v.isNumber()
                ? String.format(Locale.ROOT, "%.2f%%", 100 * v.asDouble())
                : "not measured";
    }

    private static String shape(JsonNode s) {
        List<String> d = new ArrayList<>();
        s.forEach(x -> d.add(x.asText()));
        return String.join("×", d);
    }

    private static void confusion(StringBuilder b, JsonNode cm, List<String> classes) {
        if (!cm.isArray() || cm.isEmpty()) {
            b.append("<p class=\"missing\">The confusion matrix was not recorded in this run.</p>");
            return;
        }
        int k = cm.size();
        long max = 1;
        for (JsonNode row : cm) for (JsonNode v : row) max = Math.max(max, v.asLong());
        b.append(
                "<div class=\"scroll\"><table class=\"confusion\"><caption>Confusion matrix on the test set (rows: true class, columns: predicted"
                        + " class; darker is more)</caption><thead><tr><th scope=\"col\">true \\ predicted</th>");
        for (int j = 0; j < k; j++)
            b.append("<th scope=\"col\">").append(Html.esc(name(classes, j))).append("</th>");
        b.append("</tr></thead><tbody>");
        for (int i = 0; i < k; i++) {
            b.append("<tr><th scope=\"row\">").append(Html.esc(name(classes, i))).append("</th>");
            for (int j = 0; j < k; j++) {
                long v = cm.get(i).get(j).asLong();
                double t = Math.sqrt((double) v / max);
                int shade = (int) Math.round(255 - 200 * t);
                String fg = t > 0.6 ? "#fff" : "#000";
                b.append(
                        String.format(
                                Locale.ROOT,
                                "<td style=\"background:rgb(%d,%d,255);color:%s\">%d</td>",
                                shade,
                                shade,
                                fg,
                                v));
            }
            b.append("</tr>");
        }
        b.append("</tbody></table></div>");
    }

    private static String name(List<String> classes, int i) {
        return i < classes.size() ? classes.get(i) : String.valueOf(i);
    }

    private static final String[][] MEASURES = {
        {"mse", "Reconstruction MSE", "lower"},
        {"classifier_accuracy", "Classifier accuracy on reconstructions", "higher"},
        {"eval_accuracy_reconstructed", "Evaluation classifier, reconstructed test", "higher"},
        {"eval_accuracy_original", "Evaluation classifier, original test", "higher"}
    };

    private static void measures(StringBuilder b, JsonNode layers) {
        b.append(
                "<section id=\"measures\"><h2>Measures</h2><p>Per explained layer, for ClaDec and RefAE: reconstruction error, the classifier's accuracy"
                        + " on the reconstructions, and the paper's key measure, a fresh classifier trained on reconstructed training images and tested on"
                        + " reconstructed (and original) test images. The better of each pair is marked ★.</p>");
        if (!layers.isArray() || layers.isEmpty()) {
            b.append(
                    "<p class=\"missing\">No measures: no layer was explained in this run.</p></section>\n");
            return;
        }
        b.append(
                "<div class=\"scroll\"><table id=\"measures-table\" class=\"measures\"><caption>Measures per layer (★ marks the better method)</caption><thead><tr>"
                        + "<th scope=\"col\" rowspan=\"2\">Layer</th><th scope=\"col\" rowspan=\"2\">alpha</th>");
        for (String[] ms : MEASURES)
            b.append("<th scope=\"colgroup\" colspan=\"2\">")
                    .append(Html.esc(ms[1]))
                    .append(" (")
                    .append(ms[2])
                    .append(" is better)</th>");
        b.append("</tr><tr>");
        for (int i = 0; i < MEASURES.length; i++)
            b.append("<th scope=\"col\">ClaDec</th><th scope=\"col\">RefAE</th>");
        b.append("</tr></thead><tbody>");
        for (JsonNode l : layers) {
            b.append("<tr><th scope=\"row\">")
                    .append(l.path("layer").asInt())
                    .append(" (")
                    .append(Html.esc(l.path("name").asText()))
                    .append(")</th><td>")
                    .append(Html.esc(l.path("alpha").asText("–")))
                    .append("</td>");
            for (String[] ms : MEASURES) {
                JsonNode c = l.path("cladec").path(ms[0]), r = l.path("refae").path(ms[0]);
                boolean both = c.isNumber() && r.isNumber();
                boolean claBetter =
                        both
                                && (ms[2].equals("lower")
                                        ? c.asDouble() < r.asDouble()
                                        : c.asDouble() > r.asDouble());
                boolean refBetter =
                        both
                                && (ms[2].equals("lower")
                                        ? r.asDouble() < c.asDouble()
                                        : r.asDouble() > c.asDouble());
                cell(b, c, ms[0].equals("mse"), claBetter);
                cell(b, r, ms[0].equals("mse"), refBetter);
            }
            b.append("</tr>");
        }
        b.append("</tbody></table></div></section>\n");
    }

    private static void cell(StringBuilder b, JsonNode v, boolean raw, boolean best) {
        String text =
                !v.isNumber()
                        ? "not measured"
                        : raw ? String.format(Locale.ROOT, "%.5f", v.asDouble()) : pct(v);
        if (best)
            b.append("<td class=\"best\"><strong>")
                    .append(text)
                    .append("</strong> <span aria-label=\"better\">★</span></td>");
        else b.append("<td>").append(text).append("</td>");
    }

    private static void image(StringBuilder b, Path png, String alt) throws IOException {
        if (!Files.isRegularFile(png)) {
            b.append("<p class=\"missing\">Picture not available: ")
                    .append(Html.esc(png.getFileName().toString()))
                    .append(" was not produced in this run.</p>");
            return;
        }
        String data = Base64.getEncoder().encodeToString(Files.readAllBytes(png));
        b.append("<figure><img src=\"data:image/png;base64,")
                .append(data)
                .append("\" alt=\"")
                .append(Html.esc(alt))
                .append("\"><figcaption>")
                .append(Html.esc(alt))
                .append("</figcaption></figure>");
    }

    private static double[] values(JsonNode arr) {
        double[] v = new double[arr.size()];
        for (int i = 0; i < v.length; i++) v[i] = arr.get(i).asDouble(Double.NaN);
        return v;
    }

    private static double[] epochs(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = i + 1;
        return x;
    }

    private static String lossPlot(JsonNode m) {
        List<Svg.Series> s = new ArrayList<>();
        JsonNode cl = m.path("classifier").path("history").path("loss");
        if (cl.isArray() && !cl.isEmpty())
            s.add(new Svg.Series("classifier", epochs(cl.size()), values(cl)));
        for (JsonNode l : m.path("layers")) {
            for (String k : new String[] {"cladec", "refae"}) {
                JsonNode h = l.path(k).path("history").path("loss");
                if (h.isArray() && !h.isEmpty())
                    s.add(
                            new Svg.Series(
                                    (k.equals("cladec") ? "ClaDec " : "RefAE ")
                                            + l.path("layer").asInt(),
                                    epochs(h.size()),
                                    values(h)));
            }
        }
        return "<figure>"
                + Svg.plot("Training loss per epoch", "epoch", "mean loss", s, false)
                + "<figcaption>Mean training loss per epoch: classifier"
                + " (cross-entropy), ClaDec and RefAE (reconstruction; ClaDec with alpha > 0 mixes in the classifier's loss).</figcaption></figure>";
    }

    private static String sweepPlot(JsonNode sweep) {
        if (!sweep.path("points").isArray() || sweep.path("points").isEmpty()) {
            return "<p class=\"missing\">No alpha sweep in this run.</p>";
        }
        JsonNode pts = sweep.get("points");
        int n = pts.size();
        double[] a = new double[n], mse = new double[n], acc = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = pts.get(i).path("alpha").asDouble();
            mse[i] = pts.get(i).path("mse").asDouble(Double.NaN);
            acc[i] = pts.get(i).path("classifier_accuracy").asDouble(Double.NaN);
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, (x, y) -> Double.compare(a[x], a[y]));
        double[] as = new double[n], ms = new double[n], cs = new double[n];
        for (int i = 0; i < n; i++) {
            as[i] = a[order[i]];
            ms[i] = mse[order[i]];
            cs[i] = acc[order[i]];
        }
        int layer = sweep.path("layer").asInt();
        return "<figure>"
                + Svg.plot(
                        "Alpha trade-off, layer " + layer + ": reconstruction MSE",
                        "alpha",
                        "MSE",
                        List.of(new Svg.Series("MSE", as, ms)),
                        false)
                + Svg.plot(
                        "Alpha trade-off, layer "
                                + layer
                                + ": classifier accuracy on reconstructions",
                        "alpha",
                        "accuracy",
                        List.of(new Svg.Series("accuracy", as, cs)),
                        false)
                + "<figcaption>Extended ClaDec: loss = (1 − alpha)·MSE + alpha·cross-entropy. Higher alpha trades fidelity (MSE) for relevance (the"
                + " classifier's accuracy on the reconstructions).</figcaption></figure>";
    }

    private static String layerPlot(JsonNode layers) {
        if (!layers.isArray() || layers.isEmpty()) return "";
        List<Svg.Series> mse = new ArrayList<>(), acc = new ArrayList<>();
        for (String k : new String[] {"cladec", "refae"}) {
            int n = layers.size();
            double[] x = new double[n], ym = new double[n], ya = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = layers.get(i).path("layer").asInt();
                ym[i] = layers.get(i).path(k).path("mse").asDouble(Double.NaN);
                ya[i] =
                        layers.get(i)
                                .path(k)
                                .path("eval_accuracy_reconstructed")
                                .asDouble(Double.NaN);
            }
            String name = k.equals("cladec") ? "ClaDec" : "RefAE";
            mse.add(new Svg.Series(name, x, ym));
            acc.add(new Svg.Series(name, x, ya));
        }
        return "<figure>"
                + Svg.plot(
                        "Reconstruction MSE per layer",
                        "layer (from the output)",
                        "MSE",
                        mse,
                        false)
                + Svg.plot(
                        "Evaluation classifier accuracy on reconstructions per layer",
                        "layer (from the output)",
                        "accuracy",
                        acc,
                        false)
                + "<figcaption>The paper's finding: RefAE reconstructs better (lower MSE) while a classifier trained on ClaDec's reconstructions"
                + " is more accurate, because ClaDec keeps what the classifier uses.</figcaption></figure>";
    }

    private static final String CSS =
            "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;line-height:1.45;margin:0;color:#111;background:#fff}"
                    + "main{max-width:1400px;margin:0 auto;padding:1rem 1.5rem}h1{font-size:1.6rem}h2{font-size:1.3rem;border-bottom:1px solid #ccc;margin-top:2rem}"
                    + "h3{font-size:1.1rem}table{border-collapse:collapse;margin:.5rem 0}caption{text-align:left;font-weight:600;padding:.3rem 0}"
                    + "th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:right;vertical-align:top}th[scope=row]{text-align:left;background:#f4f4f4}"
                    + "thead th{background:#eee}table.kv td{text-align:left}td.best{background:#e7f5e7}.missing{color:#8a4b00;background:#fff4e5;padding:.3rem .6rem}"
                    + "figure{margin:1rem 0}figure img{max-width:100%;height:auto;border:1px solid #ddd}figcaption{font-size:.9rem;color:#333}"
                    + ".scroll{overflow-x:auto}svg.plot{max-width:100%;height:auto;margin-right:1rem}svg .tick{font-size:11px}svg text{font-size:12px}"
                    + "code{background:#f4f4f4;padding:0 .2rem;word-break:break-all}.lead{max-width:60rem}";
}
