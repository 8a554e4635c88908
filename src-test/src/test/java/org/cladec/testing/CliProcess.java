package org.cladec.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that runs {@code cladec} in a JVM of its own, on this test JVM's java and class
 * path: for what a JVM reads once (the engine's {@code -D} settings) or what must be killed
 * mid-run.
 */
public final class CliProcess {
    private CliProcess() {}

    /** {@code java --add-modules jdk.incubator.vector <jvmOptions> -cp ... Main <args>}. */
    public static ProcessBuilder builder(List<String> jvmOptions, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("org.cladec.cli.Main");
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true);
    }
}
