package org.cladec.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.cladec.engine.tensor.Rng;
import org.cladec.io.Models;
import org.cladec.io.SafeTensors;
import org.cladec.method.Experiment;
import org.cladec.method.Reporter;
import org.cladec.method.RunConfig;
import org.cladec.model.Classifier;
import org.cladec.model.Decoder;
import org.cladec.model.LayerRef;
import org.cladec.model.RefAE;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description = {
            "Compute the paper's measures for the decoders saved in a run folder: reconstruction MSE, the classifier's accuracy",
            "on reconstructions, and fresh classifiers trained and tested on reconstructions."
        })
final class EvaluateCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Mixin CommonOptions common;
    @Mixin RunOptions run;

    @Option(
            names = "--run",
            paramLabel = "DIR",
            required = true,
            description =
                    "Run folder with models/classifier.safetensors and models/cladec_layer*.safetensors.")
    Path runDir;

    /**
     * The run's own configuration (same data, limits and seed), else the paper's, with no training
     * epochs.
     */
    private RunConfig base(int threads) throws java.io.IOException {
        RunConfig saved = RunConfig.read(runDir);
        RunConfig b = saved != null ? saved : RunConfig.paper(1, threads);
        return b.with(
                x -> {
                    x.classifierEpochs = 0;
                    x.decoderEpochs = 0;
                });
    }

    @Override
    public Integer call() throws Exception {
        int threads = common.applyThreads();
        Path models = runDir.resolve("models");
        Classifier clf =
                Models.loadClassifier(models.resolve("classifier.safetensors"), null, null, null);
        RunConfig cfg = run.apply(base(threads), common).with(x -> x.width = clf.widthMultiplier());
        List<LayerRef> layers = new ArrayList<>();
        if (run.layers != null) {
            for (String l : run.layers) layers.add(clf.layer(l));
        } else {
            for (LayerRef l : clf.layers())
                if (Files.isRegularFile(
                        models.resolve("cladec_layer" + l.index() + ".safetensors"))) layers.add(l);
        }
        if (layers.isEmpty())
            throw new IllegalArgumentException(
                    "no decoders in "
                            + models
                            + " (run 'cladec explain --run "
                            + runDir
                            + "' first)");
        try (Experiment e =
                new Experiment(cfg, runDir, Reporter.console(spec.commandLine().getOut()))) {
            e.start();
            e.loadData();
            e.useClassifier(clf);
            int C = clf.channels();
            for (LayerRef layer : layers) {
                Path cf = models.resolve("cladec_layer" + layer.index() + ".safetensors"),
                        rf = models.resolve("refae_layer" + layer.index() + ".safetensors");
                SafeTensors.Contents cc = Models.read(cf, "cladec-decoder");
                Decoder dec = Decoder.forLayer(layer, C, clf.widthMultiplier(), new Rng(0));
                Models.load(cf, dec, cc);
                float alpha = Float.parseFloat(cc.metadata().getOrDefault("cladec.alpha", "0"));
                RefAE ae = null;
                if (Files.isRegularFile(rf)) {
                    ae = new RefAE(C, clf.classes(), clf.widthMultiplier(), layer, new Rng(0));
                    Models.load(rf, ae, Models.read(rf, "refae"));
                }
                e.evaluateLayer(new Experiment.Explained(layer, alpha, dec, ae), null, null);
            }
            e.finish();
        }
        return 0;
    }
}
