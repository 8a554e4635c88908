package org.cladec.cli;

import java.nio.file.Path;
import org.cladec.method.RunConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "The main job, small and self-contained: on the embedded Fashion-MNIST subset (or --data), train the small classifier,",
            "explain layers -1 and -2 with ClaDec and RefAE, evaluate, sweep alpha, and write the run folder."
        })
final class DemoCommand extends RunCommand {
    @Option(
            names = {"-o", "--out"},
            paramLabel = "DIR",
            defaultValue = "runs/demo",
            description = "Run folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    RunConfig preset(long seed, int threads) {
        return RunConfig.demo(seed, threads);
    }

    @Override
    Path out() {
        return out;
    }
}
