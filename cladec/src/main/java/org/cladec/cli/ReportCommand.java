package org.cladec.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.cladec.method.ReportAssets;
import org.cladec.method.Reporter;
import org.cladec.report.Report;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description = {
            "Write RUN_DIR/report.html: one self-contained page (no network, no scripts) with the run's configuration, the classifier's",
            "accuracy and confusion matrix, the measures per layer, the grids and galleries, saliency and Grad-CAM baselines, and plots.",
            "Pictures an older run lacks are made from its saved models; anything that cannot be shown is said in the page."
        })
final class ReportCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "RUN_DIR", description = "The run folder.")
    Path runDir;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(runDir))
            throw new IllegalArgumentException("no run folder at " + runDir);
        new CommonOptions().applyThreads();
        List<String> notes =
                ReportAssets.ensure(runDir, Reporter.console(spec.commandLine().getOut()));
        Path out = Report.write(runDir, notes);
        spec.commandLine().getOut().printf("report: %s (%.1f MB)%n", out, Files.size(out) / 1e6);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
