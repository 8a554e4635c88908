package org.cladec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.cladec.engine.tensor.Rng;
import org.cladec.io.Models;
import org.cladec.io.SafeTensors;
import org.cladec.method.RunConfig;
import org.cladec.model.Classifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The command line, as a user meets it: exit codes, messages, and the files a run leaves behind.
 */
class CliTest {
    @TempDir Path dir;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpWorksEverywhere() {
        assertEquals(0, run("--help").code());
        for (String c :
                new String[] {"demo", "data", "train", "explain", "evaluate", "paper", "bench"}) {
            Run r = run(c, "--help");
            assertEquals(0, r.code(), c);
            assertTrue(r.out().contains("--threads") || r.out().contains("Usage"), r.out());
        }
    }

    @Test
    void aMissingDataFolderIsAnErrorNotAFallback() {
        Run r = run("data", "--data", dir.resolve("nope").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("data folder not found") && r.err().contains("nope"), r.err());
    }

    @Test
    void aBadAlphaIsAUsageError() {
        Run r = run("demo", "--alpha", "1.5", "--out", dir.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("alpha must be in [0, 1]"), r.err());
        assertFalse(Files.exists(dir.resolve("config.json")), "nothing written");
        r = run("demo", "--sweep", "0,-1", "--out", dir.toString());
        assertEquals(2, r.code());
    }

    @Test
    void anUnknownLayerListsTheValidOnes() throws Exception {
        Path model = dir.resolve("clf.safetensors");
        Models.saveClassifier(model, Classifier.create(1, 10, 0.25f, new Rng(1)));
        Run r =
                run(
                        "explain",
                        "--model",
                        model.toString(),
                        "--layer",
                        "-12",
                        "--out",
                        dir.resolve("o").toString());
        assertEquals(2, r.code());
        assertTrue(
                r.err().contains("unknown layer '-12'")
                        && r.err().contains("-2 (blocks.7, 128x1x1)"),
                r.err());
        r = run("explain", "--model", dir.resolve("missing.safetensors").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no classifier at"), r.err());
        Files.writeString(dir.resolve("broken.safetensors"), "garbage");
        r = run("explain", "--model", dir.resolve("broken.safetensors").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("broken.safetensors"), r.err());
    }

    @Test
    void aShortDemoWritesEveryOutputWithSaneValues() throws Exception {
        Path out = dir.resolve("run");
        Run r =
                run(
                        "demo",
                        "--out",
                        out.toString(),
                        "--train-limit",
                        "320",
                        "--test-limit",
                        "100",
                        "--epochs",
                        "1",
                        "--augment",
                        "--decoder-epochs",
                        "1",
                        "--eval-epochs",
                        "1",
                        "--sweep",
                        "0,0.5",
                        "--batch-size",
                        "32");
        assertEquals(0, r.code(), r.err());
        for (String f :
                new String[] {
                    "config.json",
                    "metrics.json",
                    "results.md",
                    "log.txt",
                    "models/classifier.safetensors",
                    "models/cladec_layer-1.safetensors",
                    "models/refae_layer-1.safetensors",
                    "models/cladec_layer-2.safetensors",
                    "models/refae_layer-2.safetensors",
                    "grids/layer-1.png",
                    "grids/layer-2.png"
                }) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        try (Stream<Path> s = Files.walk(out)) {
            assertTrue(
                    s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")),
                    "no temp files left");
        }
        ObjectMapper json = new ObjectMapper();
        JsonNode cfg = json.readTree(out.resolve("config.json").toFile());
        assertEquals(1, cfg.get("seed").asInt());
        assertEquals(320, cfg.get("trainLimit").asInt());
        assertTrue(cfg.get("augment").asBoolean(), "--augment is recorded: " + cfg);
        assertTrue(
                Files.readString(out.resolve("log.txt"))
                        .contains("augmented (shifts up to 2 px, flips)"),
                "the log says how the classifier was trained");
        JsonNode m = json.readTree(out.resolve("metrics.json").toFile());
        double acc = m.get("classifier").get("test_accuracy").asDouble();
        assertTrue(acc >= 0 && acc <= 1);
        assertEquals(2, m.get("layers").size());
        for (JsonNode l : m.get("layers")) {
            for (String k : new String[] {"cladec", "refae"}) {
                double mse = l.get(k).get("mse").asDouble();
                assertTrue(mse > 0 && mse < 0.3, k + " mse " + mse);
                for (String a :
                        new String[] {
                            "classifier_accuracy",
                            "eval_accuracy_reconstructed",
                            "eval_accuracy_original"
                        }) {
                    double v = l.get(k).get(a).asDouble();
                    assertTrue(v >= 0 && v <= 1, k + " " + a + " " + v);
                }
            }
        }
        assertEquals(2, m.get("alpha_sweep").get("points").size());
        BufferedImage grid = ImageIO.read(out.resolve("grids/layer-1.png").toFile());
        assertTrue(
                grid.getWidth() > 12 * 96 && grid.getHeight() > 4 * 96,
                grid.getWidth() + "x" + grid.getHeight());
        assertEquals(
                "cladec-decoder",
                SafeTensors.metadata(out.resolve("models/cladec_layer-1.safetensors"))
                        .get("cladec.kind"));
        assertTrue(
                Files.readString(out.resolve("results.md")).contains("| -1 (logits) | ClaDec |"));
        assertTrue(r.out().contains("Results"), r.out());

        // the saved models can be evaluated again from the folder
        Run e =
                run(
                        "evaluate",
                        "--run",
                        out.toString(),
                        "--eval-epochs",
                        "0",
                        "--train-limit",
                        "320",
                        "--test-limit",
                        "100",
                        "--batch-size",
                        "32");
        assertEquals(0, e.code(), e.err());
        JsonNode m2 = json.readTree(out.resolve("metrics.json").toFile());
        assertEquals(
                m.get("layers").get(0).get("cladec").get("mse").asDouble(),
                m2.get("layers").get(0).get("cladec").get("mse").asDouble(),
                1e-9,
                "evaluating the saved decoder reproduces its MSE");
    }

    /** --augment and --no-augment override the preset either way; without them it stands. */
    @Test
    void augmentIsNegatableAndOtherwiseThePresets() {
        for (String[] c :
                new String[][] {{"--no-augment", "false"}, {"--augment", "true"}, {null, "true"}}) {
            PaperCommand p = new PaperCommand();
            if (c[0] == null) new picocli.CommandLine(p).parseArgs();
            else new picocli.CommandLine(p).parseArgs(c[0]);
            RunConfig cfg = p.run.apply(p.preset(1, 1), p.common);
            assertEquals(Boolean.parseBoolean(c[1]), cfg.augment(), String.valueOf(c[0]));
        }
        DemoCommand d = new DemoCommand();
        new picocli.CommandLine(d).parseArgs("--augment");
        assertTrue(d.run.apply(d.preset(1, 1), d.common).augment());
    }
}
