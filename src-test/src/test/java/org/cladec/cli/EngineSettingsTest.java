package org.cladec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cladec.testing.CliProcess;
import org.junit.jupiter.api.Test;

/**
 * The engine's {@code -D} settings through the CLI. They are read once per JVM (the kernels when
 * they load, the thread count when the pool starts), so each case runs the CLI in a JVM of its own.
 * A wrong one: the setting's own message and exit code 2, not a stack trace, and no run on kernels
 * or threads the user did not ask for.
 */
class EngineSettingsTest {
    private static String run(String setting, int expectedCode) throws Exception {
        Process p =
                CliProcess.builder(
                                List.of(setting),
                                "bench",
                                "--only",
                                "classifier_infer",
                                "--steps",
                                "1",
                                "--repeats",
                                "1",
                                "--batch-size",
                                "2")
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), setting + ": still running");
        assertEquals(expectedCode, p.exitValue(), setting + ":\n" + out);
        return out;
    }

    @Test
    void aWrongSettingNamesItselfAndExitsTwo() throws Exception {
        for (List<String> c :
                List.of(
                        List.of(
                                "-Dengine.kernels=bogus",
                                "error: -Dengine.kernels: expected scalar, simd or auto, but got 'bogus'"),
                        List.of(
                                "-Dengine.simd.bits=100",
                                "error: -Dengine.simd.bits: expected 64, 128, 256 or 512, but got '100'"),
                        List.of(
                                "-Dengine.threads=x",
                                "error: -Dengine.threads: expected a positive integer, but got 'x'"))) {
            String out = run(c.get(0), 2);
            assertTrue(out.contains(c.get(1)), out);
            assertFalse(out.contains("Exception") || out.contains("\tat "), out);
            assertFalse(out.contains("img/s"), out);
        }
    }

    @Test
    void aGoodSettingIsFollowed() throws Exception {
        String out = run("-Dengine.simd.bits=256", 0);
        assertTrue(out.contains("# kernels simd-256 (forced), "), out);
        assertTrue(out.contains("classifier_infer="), out);
        // without --threads the CLI takes the engine's setting, as a library user gets it
        out = run("-Dengine.threads=1", 0);
        assertTrue(out.contains(", 1 threads, "), out);
    }
}
