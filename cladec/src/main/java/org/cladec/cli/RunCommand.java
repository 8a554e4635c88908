package org.cladec.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cladec.method.Experiment;
import org.cladec.method.Reporter;
import org.cladec.method.RunConfig;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/**
 * What demo, paper and train share: a preset configuration with the user's options applied, an
 * experiment written to a run folder, and {@code --resume} to continue an interrupted one.
 */
abstract class RunCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin CommonOptions common;
    @Mixin RunOptions run;
    @Mixin Resume resume;

    /** The preset this command starts from. */
    abstract RunConfig preset(long seed, int threads);

    /** The run folder (from the command's --out). */
    abstract Path out();

    /** A last adjustment of the configuration (train drops the layers). */
    RunConfig adjust(RunConfig c) {
        return c;
    }

    @Override
    public Integer call() throws Exception {
        Reporter reporter = Reporter.console(spec.commandLine().getOut());
        if (resume.dir != null) {
            RunConfig saved = resume.config();
            common.applyThreads(saved.threads());
            try (Experiment e = new Experiment(saved, resume.dir, reporter).resuming()) {
                e.run();
            }
            return 0;
        }
        if (out() == null)
            throw new IllegalArgumentException(
                    spec.name() + ": --out DIR is required (or --resume DIR)");
        int threads = common.applyThreads();
        RunConfig cfg = adjust(run.apply(preset(common.seedOr(1), threads), common));
        try (Experiment e = new Experiment(cfg, out(), reporter)) {
            e.run();
        }
        return 0;
    }
}
