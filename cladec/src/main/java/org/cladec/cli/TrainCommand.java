package org.cladec.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.cladec.method.Experiment;
import org.cladec.method.Reporter;
import org.cladec.method.RunConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description =
                "Train the classifier to explain and save it as RUN/models/classifier.safetensors.")
final class TrainCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin CommonOptions common;
    @Mixin RunOptions run;
    @Mixin Resume resume;

    @Option(
            names = {"-o", "--out"},
            paramLabel = "DIR",
            description = "Run folder.")
    Path out;

    @Option(
            names = "--small",
            description = "Start from the demo's settings (width 0.25) instead of the paper's.")
    boolean small;

    @Override
    public Integer call() throws Exception {
        if (resume.dir != null) {
            RunConfig saved = resume.config();
            common.applyThreads(saved.threads());
            new Experiment(saved, resume.dir, Reporter.console(spec.commandLine().getOut()))
                    .resuming()
                    .run();
            return 0;
        }
        if (out == null)
            throw new IllegalArgumentException("train: --out DIR is required (or --resume DIR)");
        int threads = common.applyThreads();
        RunConfig base =
                small
                        ? RunConfig.demo(common.seedOr(1), threads)
                        : RunConfig.paper(common.seedOr(1), threads);
        RunConfig cfg =
                run.apply(base, common)
                        .with(
                                b -> {
                                    b.layers = List.of();
                                    b.alphaSweep = List.of();
                                });
        new Experiment(cfg, out, Reporter.console(spec.commandLine().getOut())).run();
        return 0;
    }
}
