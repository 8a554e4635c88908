package org.cladec.cli;

import java.nio.file.Path;
import java.util.List;
import org.cladec.method.RunConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description =
                "Train the classifier to explain and save it as RUN/models/classifier.safetensors.")
final class TrainCommand extends RunCommand {
    @Option(
            names = {"-o", "--out"},
            paramLabel = "DIR",
            description = "Run folder.")
    Path out;

    @Option(
            names = "--small",
            description =
                    "Start from the demo's settings (width 0.25, embedded data) instead of the paper's.")
    boolean small;

    @Override
    RunConfig preset(long seed, int threads) {
        return small ? RunConfig.demo(seed, threads) : RunConfig.paper(seed, threads);
    }

    @Override
    RunConfig adjust(RunConfig c) {
        return c.with(
                b -> {
                    b.layers = List.of();
                    b.alphaSweep = List.of();
                });
    }

    @Override
    Path out() {
        return out;
    }
}
