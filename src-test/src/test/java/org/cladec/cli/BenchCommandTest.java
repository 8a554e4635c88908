package org.cladec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cladec.method.Workloads;
import org.cladec.testing.CliProcess;
import org.junit.jupiter.api.Test;

/** {@code cladec bench} as a script reads it: one result line per workload, progress elsewhere. */
class BenchCommandTest {
    /** {@code bench <options>} with one step a repeat, three repeats, 4 images, a quarter width. */
    private static String[] quick(String... options) {
        List<String> args = new ArrayList<>(List.of("bench"));
        args.addAll(List.of(options));
        args.addAll(
                List.of("--steps", "1", "--repeats", "3", "--batch-size", "4", "--width", "0.25"));
        return args.toArray(new String[0]);
    }

    @Test
    void printsOneLinePerWorkloadInTheOrderAskedAndProgressOnStandardError() {
        CliTest.Run r = CliTest.run(quick("--only", "classifier_infer,classifier_train"));
        assertEquals(0, r.code(), r.err());
        List<String> lines = Arrays.asList(r.out().strip().split("\\R"));
        assertEquals(3, lines.size(), r.out());
        assertTrue(lines.get(0).startsWith("# kernels "), lines.get(0));
        Pattern result = Pattern.compile("(\\w+)=(\\d+\\.\\d) img/s");
        String[] expected = {"classifier_infer", "classifier_train"};
        for (int i = 0; i < 2; i++) {
            Matcher m = result.matcher(lines.get(i + 1));
            assertTrue(m.matches(), lines.get(i + 1));
            assertEquals(expected[i], m.group(1));
            assertTrue(Double.parseDouble(m.group(2)) > 0, lines.get(i + 1));
        }
        // two warm-ups and three rounds of two workloads
        assertTrue(r.err().contains("8/8 runs"), r.err());
    }

    @Test
    void anUnknownWorkloadIsRefusedBeforeAnyIsRun() {
        CliTest.Run r = CliTest.run("bench", "--only", "classifier_infer,classifier_tran");
        assertEquals(2, r.code());
        assertTrue(
                r.err().contains("--only: unknown workload 'classifier_tran'")
                        && r.err().contains("expected one of classifier_train, cladec_train"),
                r.err());
        assertFalse(r.out().contains("img/s"), r.out());
    }

    @Test
    void aBadCountNamesItsOptionAndValue() {
        for (String[] bad :
                new String[][] {
                    {"--steps", "0", "--steps must be >= 1, but got 0"},
                    {"--repeats", "-2", "--repeats must be >= 1, but got -2"},
                    {"--batch-size", "1", "--batch-size must be >= 2 (batch norm"},
                }) {
            CliTest.Run r = CliTest.run("bench", bad[0], bad[1], "--only", "classifier_infer");
            assertEquals(2, r.code(), bad[0]);
            assertTrue(r.err().contains(bad[2]) && r.err().contains("got " + bad[1]), r.err());
            assertFalse(r.out().contains("img/s"), r.out());
        }
    }

    @Test
    void scalingAddsOneThreadTheSpeedUpAndTheIndependentCopies() throws Exception {
        // a JVM of its own: --scaling needs a pool of two, and this JVM's pool may have started
        Process p =
                CliProcess.builder(
                                List.of("-Xmx1g"),
                                quick("--scaling", "--threads", "2", "--only", "classifier_infer"))
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        Matcher m =
                Pattern.compile("^(\\w+)=(\\d+\\.\\d+)( img/s)?$", Pattern.MULTILINE).matcher(out);
        StringBuilder keys = new StringBuilder();
        while (m.find()) {
            keys.append(m.group(1)).append(' ');
            double v = Double.parseDouble(m.group(2));
            assertTrue(v > 0 && Double.isFinite(v), m.group());
            // two copies at once cannot run much more than twice as fast as one
            if (m.group(1).endsWith("_independent")) assertTrue(v < 2 * 1.5, m.group());
        }
        assertEquals(
                "fma_scaling classifier_infer classifier_infer_1thread classifier_infer_scaling"
                        + " classifier_infer_independent ",
                keys.toString(),
                out);
    }

    @Test
    void independentCopiesEachTakeOneStepOfTheirOwn() {
        Workloads[] copies = {
            new Workloads(4, 1, 10, 0.25f, 42), new Workloads(4, 1, 10, 0.25f, 42)
        };
        Workloads alone = new Workloads(4, 1, 10, 0.25f, 42);
        for (int step = 0; step < 3; step++) {
            float[] losses = BenchCommand.independently(copies, "classifier_train");
            float expected = alone.step("classifier_train");
            assertEquals(2, losses.length);
            // the same training as one copy alone, step for step: each copy took exactly one
            // step per call, on networks of its own (shared ones would have taken two)
            assertEquals(expected, losses[0], 0f, "copy 0, step " + step);
            assertEquals(expected, losses[1], 0f, "copy 1, step " + step);
        }
    }
}
