package org.cladec.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.cladec.io.Models;
import org.cladec.method.Experiment;
import org.cladec.method.Reporter;
import org.cladec.method.RunConfig;
import org.cladec.model.Classifier;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "explain",
        mixinStandardHelpOptions = true,
        description = {
            "Train ClaDec decoders (and reference autoencoders) for layers of a trained classifier, measure them and write grids.",
            "The classifier comes from a run folder (--run, e.g. made by 'cladec train') or a safetensors file (--model, e.g. saved from PyTorch)."
        })
final class ExplainCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin CommonOptions common;
    @Mixin RunOptions run;

    static final class Source {
        @Option(
                names = "--run",
                paramLabel = "DIR",
                description = "Run folder holding models/classifier.safetensors.")
        Path run;

        @Option(
                names = "--model",
                paramLabel = "FILE",
                description = "Classifier weights (safetensors, PyTorch state_dict names).")
        Path model;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(
            names = {"-o", "--out"},
            paramLabel = "DIR",
            description = "Output run folder (default: the --run folder, or runs/explain).")
    Path out;

    @Option(names = "--no-refae", description = "Skip the reference autoencoder.")
    boolean noRefAE;

    @Override
    public Integer call() throws Exception {
        int threads = common.applyThreads();
        Path model =
                source.model != null
                        ? source.model
                        : source.run.resolve("models/classifier.safetensors");
        if (!Files.isRegularFile(model))
            throw new IllegalArgumentException(
                    "no classifier at "
                            + model
                            + (source.run != null
                                    ? " (run 'cladec train --out " + source.run + "' first)"
                                    : ""));
        Classifier clf = Models.loadClassifier(model, null, null, null);
        Path dir = out != null ? out : source.run != null ? source.run : Path.of("runs/explain");
        // A run folder's own configuration (data, limits, seed) if it has one, else the paper's.
        RunConfig saved = source.run != null ? RunConfig.read(source.run) : null;
        RunConfig base = saved != null ? saved : RunConfig.paper(common.seedOr(1), threads);
        base =
                base.with(
                        b -> {
                            b.classifierEpochs = 0;
                            if (b.layers.isEmpty()) b.layers = List.of("-1");
                            b.alphaSweep = List.of();
                        });
        RunConfig cfg = run.apply(base, common).with(x -> x.width = clf.widthMultiplier());
        for (String l : cfg.layers()) clf.layer(l); // fail early on an unknown layer
        try (Experiment e =
                new Experiment(cfg, dir, Reporter.console(spec.commandLine().getOut()))) {
            e.start();
            e.loadData();
            e.useClassifier(clf);
            for (String l : cfg.layers()) e.explainLayer(clf.layer(l), cfg.alpha(), !noRefAE);
            if (!cfg.alphaSweep().isEmpty()) e.alphaSweep(clf.layer(cfg.sweepLayer()));
            e.finish();
        }
        return 0;
    }
}
