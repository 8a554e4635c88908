package org.cladec.method;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/** Renders a run's metrics as a Markdown table (results.md and the end of the console output). */
public final class Results {
    private Results() {}

    private static String pct(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v == null || !v.isNumber()
                ? "–"
                : String.format(Locale.ROOT, "%.2f%%", 100 * v.asDouble());
    }

    private static String num(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v == null || !v.isNumber() ? "–" : String.format(Locale.ROOT, "%.5f", v.asDouble());
    }

    /** The measures per layer for ClaDec and RefAE, then the alpha sweep. */
    public static String table(JsonNode m) {
        StringBuilder sb = new StringBuilder();
        JsonNode c = m.get("classifier");
        sb.append("## Results\n\n");
        if (m.has("data"))
            sb.append("Data: ").append(m.get("data").get("source").asText()).append(".\n");
        if (c != null)
            sb.append("Classifier test accuracy: ").append(pct(c, "test_accuracy")).append(".\n");
        sb.append('\n');
        sb.append(
                "| layer | method | alpha | reconstruction MSE | classifier acc. on reconstructions | eval. classifier acc. (reconstructed test) | eval. classifier acc. (original test) |\n");
        sb.append("|---|---|---|---|---|---|---|\n");
        JsonNode layers = m.get("layers");
        if (layers != null) {
            for (JsonNode l : layers) {
                String name = l.get("layer").asInt() + " (" + l.get("name").asText() + ")";
                for (String method : new String[] {"cladec", "refae"}) {
                    JsonNode x = l.get(method);
                    if (x == null) continue;
                    sb.append("| ")
                            .append(name)
                            .append(" | ")
                            .append(method.equals("cladec") ? "ClaDec" : "RefAE")
                            .append(" | ")
                            .append(method.equals("cladec") ? l.get("alpha").asText() : "–")
                            .append(" | ")
                            .append(num(x, "mse"))
                            .append(" | ")
                            .append(pct(x, "classifier_accuracy"))
                            .append(" | ")
                            .append(pct(x, "eval_accuracy_reconstructed"))
                            .append(" | ")
                            .append(pct(x, "eval_accuracy_original"))
                            .append(" |\n");
                }
            }
        }
        JsonNode sweep = m.get("alpha_sweep");
        if (sweep != null) {
            sb.append("\nAlpha sweep (layer ")
                    .append(sweep.get("layer").asInt())
                    .append(
                            "):\n\n| alpha | reconstruction MSE | classifier acc. on reconstructions |\n|---|---|---|\n");
            for (JsonNode p : sweep.get("points")) {
                sb.append("| ")
                        .append(p.get("alpha").asText())
                        .append(" | ")
                        .append(num(p, "mse"))
                        .append(" | ")
                        .append(pct(p, "classifier_accuracy"))
                        .append(" |\n");
            }
        }
        if (m.has("wall_seconds"))
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%nWall time: %.1f min.%n",
                            m.get("wall_seconds").asDouble() / 60));
        return sb.toString();
    }
}
