package org.cladec.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cladec.method.Experiment;
import org.cladec.method.Reporter;
import org.cladec.method.RunConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "paper",
        mixinStandardHelpOptions = true,
        description = {
            "The paper's experiment on the full data (Fashion-MNIST from --data, $CLADEC_DATA or the Debian package):",
            "the reference classifier, layers -1, -2, -3 with ClaDec and RefAE, all measures, and the alpha sweep on -1."
        })
final class PaperCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin CommonOptions common;
    @Mixin RunOptions run;
    @Mixin Resume resume;

    @Option(
            names = {"-o", "--out"},
            paramLabel = "DIR",
            defaultValue = "runs/paper",
            description = "Run folder (default: ${DEFAULT-VALUE}).")
    Path out;

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
        int threads = common.applyThreads();
        RunConfig cfg = run.apply(RunConfig.paper(common.seedOr(1), threads), common);
        new Experiment(cfg, out, Reporter.console(spec.commandLine().getOut())).run();
        return 0;
    }
}
