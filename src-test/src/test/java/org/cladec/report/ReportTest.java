package org.cladec.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report builder on hand-made run folders: escaping, and runs that lack measures. */
class ReportTest {
    @TempDir Path dir;

    @Test
    void classNamesAndPathsAreEscaped() throws Exception {
        Path run = Files.createDirectories(dir.resolve("a&b <run>"));
        Files.writeString(
                run.resolve("metrics.json"),
                """
                {"data": {"source": "x", "classes": ["<script>alert(1)</script>", "Bag & \\"Boot\\""]},
                 "classifier": {"test_accuracy": 0.5, "confusion": [[1, 2], [3, 4]]},
                 "layers": [{"layer": -1, "name": "logits", "shape": [2], "alpha": 0.0,
                             "cladec": {"mse": 0.1, "classifier_accuracy": 0.9}, "refae": {"mse": 0.05, "classifier_accuracy": 0.8}}]}
                """);
        String html = Report.html(run, List.of());
        assertFalse(html.contains("<script>"), "no raw script tag");
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "class name escaped");
        assertTrue(html.contains("Bag &amp; &quot;Boot&quot;"));
        assertTrue(html.contains("a&amp;b &lt;run&gt;"), "path escaped");
        assertTrue(
                html.contains("<td class=\"best\"><strong>0.05000</strong>"),
                "RefAE's lower MSE is marked");
        assertTrue(
                html.contains("<td class=\"best\"><strong>90.00%</strong>"),
                "ClaDec's higher accuracy is marked");
    }

    @Test
    void missingMetricsAreSaidNotFatal() throws Exception {
        Path run = Files.createDirectories(dir.resolve("empty"));
        Path out = Report.write(run, List.of("the gallery of layer -1 (no saved decoder)"));
        String html = Files.readString(out);
        assertTrue(html.contains("The confusion matrix was not recorded in this run"));
        assertTrue(html.contains("No measures: no layer was explained in this run"));
        assertTrue(html.contains("No alpha sweep in this run"));
        assertTrue(html.contains("Not shown: the gallery of layer -1 (no saved decoder)"));
        assertTrue(html.contains("config.json is missing"));
        Files.writeString(
                run.resolve("metrics.json"),
                """
                {"classifier": {}, "layers": [{"layer": -2, "name": "blocks.7", "shape": [8, 1, 1], "alpha": 0.0, "cladec": {"mse": 0.1}}]}
                """);
        html = Report.html(run, List.of());
        assertTrue(html.contains("Test accuracy: <strong>not measured</strong>"));
        assertTrue(html.contains("Picture not available: layer-2.png"));
        assertTrue(html.contains("not measured</td>"), "absent RefAE measures say so");
    }
}
