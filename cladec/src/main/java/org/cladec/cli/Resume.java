package org.cladec.cli;

import java.nio.file.Path;
import org.cladec.method.RunConfig;
import picocli.CommandLine.Option;

/** {@code --resume RUN_DIR}: continue an interrupted run from its folder. */
public final class Resume {
    @Option(
            names = "--resume",
            paramLabel = "DIR",
            description =
                    "Continue the interrupted run in DIR from its last complete checkpoints, with its own config.json "
                            + "(same seed; its thread count unless --threads is given). Other run options are ignored.")
    Path dir;

    /** The saved configuration of the run to resume; fails when the folder holds none. */
    RunConfig config() throws java.io.IOException {
        RunConfig c = RunConfig.read(dir);
        if (c == null)
            throw new IllegalArgumentException(
                    "--resume " + dir + ": no config.json there, so nothing to resume");
        return c;
    }
}
