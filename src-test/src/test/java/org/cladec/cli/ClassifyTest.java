package org.cladec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A classifier trained and saved by PyTorch (fixtures/cladec, made by make_classifier_fixture.py)
 * gives here the logits PyTorch gave, within 1e-4, for F32, BF16 and F16 files.
 */
class ClassifyTest {
    @TempDir Path dir;

    private Path fixture(String name) throws Exception {
        Path p = dir.resolve(name);
        try (InputStream in = ClassifyTest.class.getResourceAsStream("/fixtures/cladec/" + name)) {
            Files.copy(in, p);
        }
        return p;
    }

    static float[][] csv(Path p) throws Exception {
        List<String> lines = Files.readAllLines(p);
        float[][] out = new float[lines.size()][];
        for (int i = 0; i < out.length; i++) {
            String[] f = lines.get(i).split(",", -1);
            out[i] = new float[f.length];
            for (int k = 0; k < f.length; k++) out[i][k] = Float.parseFloat(f[k]);
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"f32", "bf16", "f16"})
    void logitsMatchPyTorch(String kind) throws Exception {
        Path model = fixture("clf_" + kind + ".safetensors"),
                images = fixture("images-idx3-ubyte.gz"),
                out = dir.resolve("logits.csv");
        CliTest.Run r =
                CliTest.run(
                        "classify",
                        "--model",
                        model.toString(),
                        "--images",
                        images.toString(),
                        "--out",
                        out.toString());
        assertEquals(0, r.code(), r.err());
        float[][] got = csv(out), ref = csv(fixture("logits_" + kind + ".csv"));
        assertEquals(16, got.length, "one row per image");
        double max = 0;
        for (int i = 0; i < ref.length; i++) {
            assertEquals(10, got[i].length, "exactly K logits per row");
            for (int k = 0; k < 10; k++) max = Math.max(max, Math.abs(got[i][k] - ref[i][k]));
        }
        assertTrue(max <= 1e-4, kind + ": max |diff| to PyTorch " + max);
        for (String line : Files.readAllLines(out))
            assertTrue(line.matches("[-0-9.eE,]+"), "plain CSV: " + line);
    }

    @Test
    void wrongInputsFailClearly() throws Exception {
        Path model = fixture("clf_f32.safetensors"), images = fixture("images-idx3-ubyte.gz");
        CliTest.Run r =
                CliTest.run(
                        "classify",
                        "--model",
                        images.toString(),
                        "--images",
                        images.toString(),
                        "--out",
                        dir.resolve("x.csv").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("images-idx3-ubyte.gz"), r.err());
        r =
                CliTest.run(
                        "classify",
                        "--model",
                        model.toString(),
                        "--images",
                        model.toString(),
                        "--out",
                        dir.resolve("x.csv").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("bad magic number"), r.err());
        r =
                CliTest.run(
                        "classify",
                        "--model",
                        model.toString(),
                        "--images",
                        images.toString(),
                        "--out",
                        dir.resolve("x.csv").toString(),
                        "--classes",
                        "7");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("pred.weight") && r.err().contains("shape mismatch"), r.err());
        assertTrue(!Files.exists(dir.resolve("x.csv")), "no output written on failure");
    }
}
