package org.cladec.method;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.cladec.datasets.DataSource;
import org.cladec.datasets.DatasetException;
import org.cladec.datasets.EmbeddedFashionMnist;
import org.cladec.datasets.ImageDataset;
import org.cladec.datasets.Splits;
import org.cladec.engine.kernels.Kernels;
import org.cladec.engine.parallel.Parallel;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.cladec.io.AtomicFiles;
import org.cladec.io.Models;
import org.cladec.io.RunLock;
import org.cladec.model.Classifier;
import org.cladec.model.Decoder;
import org.cladec.model.LayerRef;
import org.cladec.model.RefAE;

/**
 * A whole ClaDec run, as in the paper: train the classifier; for each layer train the ClaDec
 * decoder and the reference autoencoder; measure reconstruction error, the classifier's accuracy on
 * the reconstructions, and the accuracy of fresh classifiers trained and tested on reconstructions;
 * sweep alpha; write everything to the run folder:
 *
 * <pre>
 * config.json    the RunConfig (everything needed to rerun)
 * metrics.json   every measure, loss histories and timings
 * results.md     the measures as a table
 * models/        classifier.safetensors, cladec_layer-1.safetensors, refae_layer-1.safetensors, ...
 * grids/         layer-1.png, ...: rows Original | RefAE | ClaDec | |Original − ClaDec|
 * log.txt        what was printed
 * </pre>
 *
 * Every file is written atomically (temp file, fsync, rename).
 */
public final class Experiment implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final RunConfig cfg;
    private final Path out;
    private final Reporter r;
    private final ObjectNode metrics = JSON.createObjectNode();
    private Splits data;
    private Classifier classifier;

    /** A run of {@code cfg} writing to the folder {@code out} and reporting to {@code r}. */
    public Experiment(RunConfig cfg, Path out, Reporter r) {
        this.cfg = cfg;
        this.out = out;
        this.r = r;
    }

    /** The classifier (after {@link #trainClassifier()} or {@link #useClassifier}). */
    public Classifier classifier() {
        return classifier;
    }

    /** The data (after {@link #loadData()}). */
    public Splits data() {
        return data;
    }

    /** The metrics gathered so far. */
    public ObjectNode metrics() {
        return metrics;
    }

    private boolean resuming;

    /** Held from {@link #start()} to {@link #close()}: one run writes a folder at a time. */
    private RunLock lock;

    /**
     * Continue this run from what its folder already holds: metrics of finished stages are kept,
     * and every training job resumes from its last complete end-of-epoch checkpoint.
     */
    public Experiment resuming() {
        resuming = true;
        return this;
    }

    private Checkpoint checkpoint(String job) {
        return new Checkpoint(out.resolve("checkpoints").resolve(job + ".safetensors"));
    }

    private static boolean swept(ArrayNode points, float a) {
        for (com.fasterxml.jackson.databind.JsonNode p : points)
            if ((float) p.get("alpha").asDouble() == a) return true;
        return false;
    }

    /** Whether metrics already hold the measures of {@code layer} (a resumed run skips it). */
    private boolean measured(LayerRef layer) {
        if (!metrics.has("layers")) return false;
        for (com.fasterxml.jackson.databind.JsonNode l : metrics.get("layers"))
            if (l.get("layer").asInt() == layer.index()) return true;
        return false;
    }

    /** Runs every stage; returns the metrics. */
    public ObjectNode run() throws IOException {
        long t0 = System.nanoTime();
        start();
        loadData();
        double before = metrics.path("wall_seconds").asDouble(0);
        trainClassifier();
        for (String l : cfg.layers()) {
            LayerRef layer = classifier.layer(l);
            if (measured(layer))
                r.log("layer " + layer.describe() + ": measured before the interruption; skipped");
            else explainLayer(layer, cfg.alpha(), true);
        }
        if (!cfg.alphaSweep().isEmpty()) alphaSweep(classifier.layer(cfg.sweepLayer()));
        metrics.put("wall_seconds", before + (System.nanoTime() - t0) / 1e9);
        finish();
        return metrics;
    }

    /**
     * Locks the run folder until {@link #close()} (failing, with the folder's name, when another
     * run holds it), creates it, writes config.json and starts the log.
     */
    public void start() throws IOException {
        if (lock == null) lock = RunLock.acquire(out); // before touching anything in the folder
        if (resuming) {
            removeTempFiles(out);
            Path m = out.resolve("metrics.json");
            if (Files.isRegularFile(m)) {
                com.fasterxml.jackson.databind.JsonNode old = JSON.readTree(m.toFile());
                if (old instanceof ObjectNode o) metrics.setAll(o);
            }
        }
        Files.createDirectories(out.resolve("models"));
        Files.createDirectories(out.resolve("grids"));
        if (resuming) r.continueLog(out.resolve("log.txt"));
        else r.logTo(out.resolve("log.txt"));
        AtomicFiles.writeString(out.resolve("config.json"), JSON.writeValueAsString(cfg));
        r.log(
                String.format(
                        "run folder %s; kernels %s, %d threads, seed %d",
                        out.toAbsolutePath(),
                        Kernels.active().name(),
                        Parallel.threads(),
                        cfg.seed()));
        metrics.put("kernels", Kernels.active().name());
        metrics.put("threads", Parallel.threads());
        metrics.put("java", System.getProperty("java.version"));
    }

    /**
     * Deletes the temporary files an interrupted atomic write may have left ({@code .name.*.tmp}).
     */
    static void removeTempFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return;
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                if (n.startsWith(".") && n.endsWith(".tmp") && Files.isRegularFile(p))
                    Files.delete(p);
            }
        }
    }

    /** Loads the data as configured and applies the limits. */
    public Splits loadData() throws DatasetException {
        long t0 = System.nanoTime();
        Splits s;
        if (cfg.data() == null && cfg.useEmbedded()) s = EmbeddedFashionMnist.load();
        else
            s =
                    DataSource.load(
                            cfg.data() == null ? null : Path.of(cfg.data()),
                            DataSource.Kind.parse(cfg.dataset()),
                            DataSource.FolderOptions.DEFAULT);
        ImageDataset train = limit(s.train(), cfg.trainLimit(), cfg.seed()),
                test = limit(s.test(), cfg.testLimit(), cfg.seed() + 1);
        data = new Splits(train, test, s.source());
        r.log(
                String.format(
                        "data: %s; %d training and %d test images of %dx%dx%d, %d classes (%.1f s)",
                        s.source(),
                        train.size(),
                        test.size(),
                        train.channels(),
                        train.height(),
                        train.width(),
                        train.numClasses(),
                        (System.nanoTime() - t0) / 1e9));
        ObjectNode d = metrics.putObject("data");
        d.put("source", s.source());
        d.put("train", train.size());
        d.put("test", test.size());
        d.put("channels", train.channels());
        ArrayNode names = d.putArray("classes");
        train.classNames().forEach(names::add);
        return data;
    }

    static ImageDataset limit(ImageDataset ds, int n, long seed) {
        if (n <= 0 || n >= ds.size()) return ds;
        int[] idx = new int[ds.size()];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        new Rng(seed ^ 0x5DEECE66DL).shuffle(idx, idx.length);
        int[] pick = Arrays.copyOf(idx, n);
        Arrays.sort(pick);
        return ds.subset(ds.name(), pick);
    }

    private Schedule schedule(int epochs, long salt) {
        return new Schedule(epochs, cfg.batchSize(), cfg.seed() * 1_000_003L + salt);
    }

    /** Fails early when a training step of this configuration cannot fit in the heap. */
    void checkMemory(int channels, int classes) {
        java.util.List<Integer> idx = new java.util.ArrayList<>();
        for (String l : cfg.layers()) {
            try {
                idx.add(Integer.parseInt(l.trim()));
            } catch (NumberFormatException e) {
                idx.add(
                        l.trim().equals("logits")
                                ? -1
                                : Integer.parseInt(l.trim().substring("blocks.".length())) - 9);
            }
        }
        idx.removeIf(i -> i > -1 || i < -9); // unknown layers fail later with their own message
        Footprint.require(
                Footprint.trainingBytes(channels, classes, cfg.width(), idx, cfg.batchSize()),
                String.format(
                        "a training step at batch size %d and width %s",
                        cfg.batchSize(), cfg.width()));
    }

    /** Trains the classifier and saves it as models/classifier.safetensors. */
    public Classifier trainClassifier() throws IOException {
        ImageDataset train = data.train();
        checkMemory(train.channels(), train.numClasses());
        classifier =
                Classifier.create(
                        train.channels(), train.numClasses(), cfg.width(), new Rng(cfg.seed()));
        r.log(
                String.format(
                        "classifier: width %s, %,d parameters, %d epochs%s",
                        cfg.width(),
                        classifier.parameterCount(),
                        cfg.classifierEpochs(),
                        cfg.augment()
                                ? ", augmented (shifts up to "
                                        + RunConfig.AUGMENT_SHIFT
                                        + " px, flips)"
                                : ""));
        History h =
                Training.classifier(
                        "classifier",
                        classifier,
                        train,
                        data.test(),
                        schedule(cfg.classifierEpochs(), 1).withAugment(cfg.classifierAugment()),
                        r,
                        checkpoint("classifier"));
        int[][] confusion = Evaluation.confusion(classifier, data.test(), cfg.batchSize());
        double acc = Evaluation.accuracy(confusion);
        r.log(
                String.format(
                        "classifier test accuracy %.2f%% (%.0f s, %.0f img/s)",
                        100 * acc, h.seconds, h.imagesPerSecond));
        ObjectNode c = metrics.putObject("classifier");
        c.put("test_accuracy", acc);
        c.put("parameters", classifier.parameterCount());
        c.set("history", history(h));
        classifierPictures(c, confusion);
        Models.saveClassifier(out.resolve("models/classifier.safetensors"), classifier);
        writeMetrics();
        return classifier;
    }

    /** Uses an already trained classifier (e.g. loaded from a file) instead of training one. */
    public void useClassifier(Classifier c) throws IOException {
        classifier = c;
        int[][] confusion = Evaluation.confusion(classifier, data.test(), cfg.batchSize());
        double acc = Evaluation.accuracy(confusion);
        r.log(
                String.format(
                        "classifier (given): %,d parameters, test accuracy %.2f%%",
                        c.parameterCount(), 100 * acc));
        ObjectNode m = metrics.putObject("classifier");
        m.put("test_accuracy", acc);
        m.put("parameters", classifier.parameterCount());
        classifierPictures(m, confusion);
    }

    /**
     * The test-set confusion matrix (into the classifier's metrics) and the saliency/Grad-CAM
     * baselines picture.
     */
    private void classifierPictures(ObjectNode classifierMetrics, int[][] confusion)
            throws IOException {
        classifierMetrics.set("confusion", ReportAssets.toJson(confusion));
        ReportAssets.baselines(
                out.resolve("grids/baselines.png"), classifier, data.test(), cfg.gridImages());
    }

    static ObjectNode history(History h) {
        ObjectNode n = JSON.createObjectNode();
        ArrayNode loss = n.putArray("loss");
        h.loss.forEach(loss::add);
        if (!h.testAccuracy.isEmpty()) {
            ArrayNode acc = n.putArray("test_accuracy");
            h.testAccuracy.forEach(acc::add);
        }
        n.put("seconds", h.seconds);
        n.put("images_per_second", h.imagesPerSecond);
        return n;
    }

    /** The trained models of one layer. */
    public record Explained(LayerRef layer, float alpha, Decoder claDec, RefAE refAE) {}

    /**
     * Trains ClaDec (and, with {@code withRefAE}, the reference autoencoder) for {@code layer},
     * measures them, saves models and the grid, and records the measures under {@code layers} in
     * metrics.json.
     */
    public Explained explainLayer(LayerRef layer, float alpha, boolean withRefAE)
            throws IOException {
        ImageDataset train = data.train(), test = data.test();
        String tag = "layer" + layer.index();
        r.log("explaining layer " + layer.describe() + (alpha > 0 ? ", alpha " + alpha : ""));
        Decoder dec =
                Decoder.forLayer(
                        layer,
                        train.channels(),
                        cfg.width(),
                        new Rng(cfg.seed() + 100 + layer.index()));
        History hc =
                Training.claDec(
                        "ClaDec " + layer.index(),
                        classifier,
                        layer,
                        dec,
                        alpha,
                        train,
                        schedule(cfg.decoderEpochs(), 10 - layer.index()),
                        r,
                        cache(layer),
                        checkpoint("cladec_" + tag));
        Models.save(
                out.resolve("models/cladec_" + tag + ".safetensors"),
                dec,
                "cladec-decoder",
                meta(layer, alpha));
        RefAE ae = null;
        History ha = null;
        if (withRefAE) {
            ae =
                    new RefAE(
                            train.channels(),
                            train.numClasses(),
                            cfg.width(),
                            layer,
                            new Rng(cfg.seed() + 200 + layer.index()));
            ha =
                    Training.refAE(
                            "RefAE " + layer.index(),
                            ae,
                            train,
                            schedule(cfg.decoderEpochs(), 20 - layer.index()),
                            r,
                            checkpoint("refae_" + tag));
            Models.save(
                    out.resolve("models/refae_" + tag + ".safetensors"),
                    ae,
                    "refae",
                    meta(layer, 0));
        }
        return evaluateLayer(new Explained(layer, alpha, dec, ae), hc, ha);
    }

    /**
     * Measures trained (or loaded) models of one layer, writes the grid and records the measures
     * under {@code layers} in metrics.json. Histories may be null for loaded models.
     */
    public Explained evaluateLayer(Explained e, History hc, History ha) throws IOException {
        LayerRef layer = e.layer();
        Decoder dec = e.claDec();
        RefAE ae = e.refAE();
        float alpha = e.alpha();
        ObjectNode m = JSON.createObjectNode();
        m.put("layer", layer.index());
        m.put("name", layer.name());
        ArrayNode shape = m.putArray("shape");
        for (int d : layer.shape()) shape.add(d);
        m.put("alpha", alpha);
        m.set(
                "cladec",
                measure(
                        "ClaDec",
                        x -> dec.forward(classifier.forwardTo(x, layer)),
                        hc,
                        layer,
                        dec));
        if (ae != null) {
            RefAE aeF = ae;
            m.set("refae", measure("RefAE", aeF::forward, ha, layer, ae));
        }
        ArrayNode layers =
                metrics.has("layers")
                        ? (ArrayNode) metrics.get("layers")
                        : metrics.putArray("layers");
        layers.add(m);
        grid(layer, dec, ae);
        writeMetrics();
        return e;
    }

    private Map<String, String> meta(LayerRef layer, float alpha) {
        return Map.of(
                "cladec.layer",
                String.valueOf(layer.index()),
                "cladec.layer_name",
                layer.name(),
                "cladec.alpha",
                String.valueOf(alpha),
                "cladec.width",
                String.valueOf(cfg.width()),
                "cladec.channels",
                String.valueOf(data.train().channels()));
    }

    private ObjectNode measure(
            String what,
            java.util.function.UnaryOperator<Tensor> f,
            History h,
            LayerRef layer,
            org.cladec.engine.nn.Module model) {
        classifier.eval();
        model.eval();
        ImageDataset train = data.train(), test = data.test();
        Evaluation.Reconstruction rt =
                Evaluation.reconstruct(what + " test", f, test, cfg.batchSize());
        double acc = Evaluation.accuracy(classifier, rt.images(), cfg.batchSize());
        ObjectNode n = JSON.createObjectNode();
        n.put("mse", rt.mse());
        n.put("classifier_accuracy", acc);
        if (h != null) n.set("history", history(h));
        String line =
                String.format(
                        Locale.ROOT,
                        "  %s layer %d: reconstruction MSE %.5f, classifier accuracy on reconstructions %.2f%%",
                        what,
                        layer.index(),
                        rt.mse(),
                        100 * acc);
        if (cfg.evalEpochs() > 0) {
            Evaluation.Reconstruction rtr =
                    Evaluation.reconstruct(what + " train", f, train, cfg.batchSize());
            Classifier fresh =
                    Classifier.create(
                            train.channels(),
                            train.numClasses(),
                            cfg.width(),
                            new Rng(cfg.seed() + 300 + layer.index()));
            History he =
                    Training.classifier(
                            "eval classifier on " + what + " " + layer.index(),
                            fresh,
                            rtr.images(),
                            null,
                            schedule(cfg.evalEpochs(), 30 - layer.index()),
                            r,
                            checkpoint(
                                    "eval_"
                                            + what.toLowerCase(Locale.ROOT)
                                            + "_layer"
                                            + layer.index()));
            double onRec = Evaluation.accuracy(fresh, rt.images(), cfg.batchSize());
            double onOrig = Evaluation.accuracy(fresh, test, cfg.batchSize());
            n.put("train_mse", rtr.mse());
            n.put("eval_accuracy_reconstructed", onRec);
            n.put("eval_accuracy_original", onOrig);
            n.set("eval_history", history(he));
            line +=
                    String.format(
                            Locale.ROOT,
                            "; evaluation classifier: %.2f%% on reconstructions, %.2f%% on originals",
                            100 * onRec,
                            100 * onOrig);
        }
        r.log(line);
        return n;
    }

    private void grid(LayerRef layer, Decoder dec, RefAE ae) throws IOException {
        Path file = out.resolve("grids/layer" + layer.index() + ".png");
        ReportAssets.layerGrid(file, classifier, layer, dec, ae, data.test(), cfg.gridImages());
        ReportAssets.gallery(
                out.resolve("grids/gallery-layer" + layer.index() + ".png"),
                classifier,
                layer,
                dec,
                ae,
                data.test(),
                4);
        r.log("  grid: " + file);
    }

    /**
     * Trains a ClaDec decoder per alpha on {@code layer} and records MSE and classifier accuracy.
     */
    public void alphaSweep(LayerRef layer) throws IOException {
        r.log("alpha sweep on layer " + layer.describe() + ": " + cfg.alphaSweep());
        ObjectNode sweep =
                metrics.has("alpha_sweep")
                        ? (ObjectNode) metrics.get("alpha_sweep")
                        : metrics.putObject("alpha_sweep");
        sweep.put("layer", layer.index());
        ArrayNode points =
                sweep.has("points") ? (ArrayNode) sweep.get("points") : sweep.putArray("points");
        for (float a : cfg.alphaSweep()) {
            if (swept(points, a)) continue; // measured before an interruption
            ObjectNode done = explained(layer, a);
            if (done != null) { // this layer was already explained with this alpha: reuse its
                // measures
                ObjectNode p = points.addObject();
                p.put("alpha", a);
                p.put("mse", done.get("cladec").get("mse").asDouble());
                p.put(
                        "classifier_accuracy",
                        done.get("cladec").get("classifier_accuracy").asDouble());
                r.log(
                        String.format(
                                Locale.ROOT,
                                "  alpha %-5s (measured above) MSE %.5f, classifier accuracy on reconstructions %.2f%%",
                                a,
                                p.get("mse").asDouble(),
                                100 * p.get("classifier_accuracy").asDouble()));
                continue;
            }
            Decoder dec =
                    Decoder.forLayer(
                            layer,
                            data.train().channels(),
                            cfg.width(),
                            new Rng(cfg.seed() + 100 + layer.index()));
            History h =
                    Training.claDec(
                            "ClaDec " + layer.index() + " alpha " + a,
                            classifier,
                            layer,
                            dec,
                            a,
                            data.train(),
                            schedule(cfg.sweepEpochs(), 10 - layer.index()),
                            r,
                            cache(layer),
                            checkpoint("sweep_layer" + layer.index() + "_alpha" + a));
            classifier.eval();
            Evaluation.Reconstruction rt =
                    Evaluation.reconstruct(
                            "sweep",
                            x -> dec.forward(classifier.forwardTo(x, layer)),
                            data.test(),
                            cfg.batchSize());
            double acc = Evaluation.accuracy(classifier, rt.images(), cfg.batchSize());
            ObjectNode p = points.addObject();
            p.put("alpha", a);
            p.put("mse", rt.mse());
            p.put("classifier_accuracy", acc);
            p.put("seconds", h.seconds);
            r.log(
                    String.format(
                            Locale.ROOT,
                            "  alpha %-5s MSE %.5f, classifier accuracy on reconstructions %.2f%%",
                            a,
                            rt.mse(),
                            100 * acc));
            writeMetrics();
        }
    }

    /** The metrics of {@code layer} explained with {@code alpha}, or null. */
    private ObjectNode explained(LayerRef layer, float alpha) {
        if (!metrics.has("layers")) return null;
        for (com.fasterxml.jackson.databind.JsonNode l : metrics.get("layers")) {
            if (l.get("layer").asInt() == layer.index()
                    && (float) l.get("alpha").asDouble() == alpha
                    && l.has("cladec")) {
                return (ObjectNode) l;
            }
        }
        return null;
    }

    private ActivationCache cache;

    /**
     * Activations of {@code layer} on the training set, cached across ClaDec trainings of that
     * layer (one layer at a time).
     */
    private ActivationCache cache(LayerRef layer) {
        if (cache != null && cache.layer().equals(layer)) return cache;
        cache = null; // release the previous layer's cache first
        if (!ActivationCache.fits(layer, data.train().size())) return null;
        long t0 = System.nanoTime();
        cache = ActivationCache.build(classifier, layer, data.train(), cfg.batchSize());
        r.log(
                String.format(
                        Locale.ROOT,
                        "  cached layer %d activations of %d training images (%.0f MB, %.1f s)",
                        layer.index(),
                        data.train().size(),
                        ActivationCache.bytes(layer, data.train().size()) / 1e6,
                        (System.nanoTime() - t0) / 1e9));
        return cache;
    }

    /** Writes metrics.json and results.md, and prints the table. */
    public void finish() throws IOException {
        writeMetrics();
        String table = Results.table(metrics);
        AtomicFiles.writeString(out.resolve("results.md"), table);
        for (String line : table.split("\n")) r.log(line);
        r.log("grids: " + out.resolve("grids").toAbsolutePath());
        Path report = org.cladec.report.Report.write(out, java.util.List.of());
        r.log(
                String.format(
                        Locale.ROOT,
                        "report: %s (%.1f MB)",
                        report.toAbsolutePath(),
                        Files.size(report) / 1e6));
        r.flush();
    }

    /** Releases the run folder (see {@link #start()}); the experiment's results stay readable. */
    @Override
    public void close() throws IOException {
        if (lock != null) {
            lock.close();
            lock = null;
        }
    }

    private void writeMetrics() throws IOException {
        AtomicFiles.writeString(out.resolve("metrics.json"), JSON.writeValueAsString(metrics));
    }
}
