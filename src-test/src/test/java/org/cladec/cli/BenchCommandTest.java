package org.cladec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code cladec bench} as a script reads it: one result line per workload, progress elsewhere. */
class BenchCommandTest {
    @Test
    void printsOneLinePerWorkloadInTheOrderAskedAndProgressOnStandardError() {
        CliTest.Run r =
                CliTest.run(
                        "bench",
                        "--only",
                        "classifier_infer,classifier_train",
                        "--steps",
                        "1",
                        "--repeats",
                        "3",
                        "--batch-size",
                        "4",
                        "--width",
                        "0.25");
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
}
