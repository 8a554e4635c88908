package org.cladec.cli;

import java.nio.file.Path;
import org.cladec.method.RunConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "paper",
        mixinStandardHelpOptions = true,
        description = {
            "The paper's experiment on the full data (Fashion-MNIST from --data, $CLADEC_DATA or the Debian package):",
            "the reference classifier, layers -1, -2, -3 with ClaDec and RefAE, all measures, and the alpha sweep on -1."
        })
final class PaperCommand extends RunCommand {
    @Option(
            names = {"-o", "--out"},
            paramLabel = "DIR",
            defaultValue = "runs/paper",
            description = "Run folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    RunConfig preset(long seed, int threads) {
        return RunConfig.paper(seed, threads);
    }

    @Override
    Path out() {
        return out;
    }
}
