package org.cladec.method;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cladec.datasets.DataLoader;
import org.cladec.datasets.DataSource;
import org.cladec.datasets.EmbeddedFashionMnist;
import org.cladec.datasets.ImageDataset;
import org.cladec.engine.autograd.NoGrad;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.cladec.io.AtomicFiles;
import org.cladec.io.Grids;
import org.cladec.io.Models;
import org.cladec.model.Classifier;
import org.cladec.model.Decoder;
import org.cladec.model.LayerRef;
import org.cladec.model.RefAE;

/**
 * The pictures and numbers a run's report shows: per layer a grid (Original | RefAE | ClaDec |
 * |Original − ClaDec|) and a per-class gallery, the gradient-saliency and Grad-CAM baselines for
 * the same images, and the classifier's confusion matrix. The experiment writes them as it goes;
 * {@link #ensure} fills in whatever an older run folder lacks from its saved models.
 */
public final class ReportAssets {
    private ReportAssets() {}

    /** Test images for grids: round-robin over the classes, the first images of each. */
    static int[] gridImages(ImageDataset test, int n) {
        int k = test.numClasses();
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < k; c++) byClass.add(new ArrayList<>());
        for (int i = 0; i < test.size(); i++) byClass.get(test.label(i)).add(i);
        int[] out = new int[n];
        int filled = 0;
        for (int round = 0; filled < n; round++) {
            boolean any = false;
            for (int c = 0; c < k && filled < n; c++) {
                if (round < byClass.get(c).size()) {
                    out[filled++] = byClass.get(c).get(round);
                    any = true;
                }
            }
            if (!any) break;
        }
        return Arrays.copyOf(out, filled);
    }

    /** The images at {@code pick}, resized to 32x32, as a tensor (n, C, 32, 32). */
    static Tensor images(ImageDataset ds, int[] pick) {
        try (DataLoader l =
                Training.evalLoader(ds.subset("pick", pick), Math.max(1, pick.length))) {
            return l.epoch(0).iterator().next().images().copy();
        }
    }

    static List<float[]> split(Tensor t) {
        float[] d = t.toArray();
        int n = t.shape(0), per = t.size() / n;
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(Arrays.copyOfRange(d, i * per, (i + 1) * per));
        return out;
    }

    /** Each map divided by its own maximum, for display. */
    static List<float[]> normalised(Tensor maps) {
        List<float[]> out = split(maps);
        for (float[] m : out) {
            float max = 0;
            for (float v : m) max = Math.max(max, v);
            if (max > 0) for (int i = 0; i < m.length; i++) m[i] /= max;
        }
        return out;
    }

    private static Tensor reconstruct(Classifier c, LayerRef layer, Decoder dec, Tensor x) {
        c.eval();
        dec.eval();
        try (NoGrad g = NoGrad.enter()) {
            return dec.forward(c.forwardTo(x, layer));
        }
    }

    private static Tensor reconstruct(RefAE ae, Tensor x) {
        ae.eval();
        try (NoGrad g = NoGrad.enter()) {
            return ae.forward(x);
        }
    }

    /**
     * The layer grid: rows Original | RefAE | ClaDec | |Original − ClaDec| over {@code n} test
     * images, titled true/predicted class.
     */
    public static void layerGrid(
            Path file,
            Classifier c,
            LayerRef layer,
            Decoder dec,
            RefAE ae,
            ImageDataset test,
            int n)
            throws IOException {
        int[] pick = gridImages(test, Math.min(n, test.size()));
        Tensor x = images(test, pick);
        int[] pred = Evaluation.predict(c, x);
        Tensor cla = reconstruct(c, layer, dec, x);
        List<Grids.Row> rows = new ArrayList<>();
        rows.add(new Grids.Row("Original", split(x), false));
        if (ae != null) rows.add(new Grids.Row("RefAE", split(reconstruct(ae, x)), false));
        rows.add(new Grids.Row("ClaDec", split(cla), false));
        List<float[]> xs = split(x), cs = split(cla), diff = new ArrayList<>();
        for (int i = 0; i < xs.size(); i++) {
            float[] d = new float[xs.get(i).length];
            for (int p = 0; p < d.length; p++) d[p] = Math.abs(xs.get(i)[p] - cs.get(i)[p]);
            diff.add(d);
        }
        rows.add(new Grids.Row("|Orig-ClaDec|", diff, true));
        List<String> titles = new ArrayList<>();
        for (int i = 0; i < pick.length; i++)
            titles.add(
                    test.classNames().get(test.label(pick[i]))
                            + "\npred: "
                            + test.classNames().get(pred[i]));
        Grids.write(file, rows, titles, x.shape(1), x.shape(2), x.shape(3), 3);
    }

    /**
     * The per-class gallery: one row per class, {@code perClass} examples each as Original, ClaDec,
     * RefAE.
     */
    public static void gallery(
            Path file,
            Classifier c,
            LayerRef layer,
            Decoder dec,
            RefAE ae,
            ImageDataset test,
            int perClass)
            throws IOException {
        int k = test.numClasses();
        List<Grids.Row> rows = new ArrayList<>();
        List<String> titles = new ArrayList<>();
        for (int e = 0; e < perClass; e++) {
            titles.add("Original");
            titles.add("ClaDec");
            if (ae != null) titles.add("RefAE");
        }
        int C = test.channels();
        for (int cls = 0; cls < k; cls++) {
            int[] pick = new int[perClass];
            int found = 0;
            for (int i = 0; i < test.size() && found < perClass; i++)
                if (test.label(i) == cls) pick[found++] = i;
            if (found == 0) continue;
            pick = Arrays.copyOf(pick, found);
            Tensor x = images(test, pick);
            List<float[]> xs = split(x),
                    cs = split(reconstruct(c, layer, dec, x)),
                    rs = ae == null ? null : split(reconstruct(ae, x));
            List<float[]> row = new ArrayList<>();
            for (int e = 0; e < found; e++) {
                row.add(xs.get(e));
                row.add(cs.get(e));
                if (rs != null) row.add(rs.get(e));
            }
            rows.add(new Grids.Row(test.classNames().get(cls), row, false));
        }
        Grids.write(file, rows, titles, C, Classifier.INPUT, Classifier.INPUT, 2);
    }

    /**
     * The baselines for the grid images: rows Original | Gradient saliency | Grad-CAM (at the last
     * spatial conv layer).
     */
    public static void baselines(Path file, Classifier c, ImageDataset test, int n)
            throws IOException {
        int[] pick = gridImages(test, Math.min(n, test.size()));
        Tensor x = images(test, pick);
        int[] labels = new int[pick.length];
        for (int i = 0; i < pick.length; i++) labels[i] = test.label(pick[i]);
        LayerRef camLayer = Saliency.lastSpatialLayer(c);
        List<Grids.Row> rows = new ArrayList<>();
        rows.add(new Grids.Row("Original", split(x), false));
        rows.add(new Grids.Row("Gradient", normalised(Saliency.gradient(c, x, labels)), true));
        rows.add(
                new Grids.Row(
                        "Grad-CAM " + camLayer.index(),
                        normalised(Saliency.gradCam(c, x, labels, camLayer)),
                        true));
        List<String> titles = new ArrayList<>();
        for (int p : pick) titles.add(test.classNames().get(test.label(p)));
        Grids.write(file, rows, titles, 1, Classifier.INPUT, Classifier.INPUT, 3);
        // NOTE: rows after the first hold one-channel maps, drawn with C = 1; grey inputs also have
        // C = 1.
    }

    static ArrayNode toJson(int[][] m) {
        ArrayNode a = Experiment.JSON.createArrayNode();
        for (int[] row : m) {
            ArrayNode r = a.addArray();
            for (int v : row) r.add(v);
        }
        return a;
    }

    /**
     * Fills in what an older or interrupted run folder lacks for its report (confusion matrix,
     * baselines, galleries), from its saved models and its configured data. Returns what it could
     * not produce, for the report to say so.
     */
    public static List<String> ensure(Path runDir, Reporter r) {
        List<String> missing = new ArrayList<>();
        try {
            Path metricsFile = runDir.resolve("metrics.json"),
                    clfFile = runDir.resolve("models/classifier.safetensors");
            RunConfig cfg = RunConfig.read(runDir);
            if (cfg == null || !Files.isRegularFile(metricsFile) || !Files.isRegularFile(clfFile)) {
                missing.add(
                        "the classifier, its configuration or its metrics (no extra pictures could be made)");
                return missing;
            }
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode metrics = (ObjectNode) json.readTree(metricsFile.toFile());
            boolean needConfusion = !metrics.path("classifier").has("confusion");
            boolean needBaselines = !Files.isRegularFile(runDir.resolve("grids/baselines.png"));
            List<Integer> needGallery = new ArrayList<>();
            for (JsonNode l : metrics.path("layers")) {
                int idx = l.get("layer").asInt();
                if (!Files.isRegularFile(runDir.resolve("grids/gallery-layer" + idx + ".png")))
                    needGallery.add(idx);
            }
            if (!needConfusion && !needBaselines && needGallery.isEmpty()) return missing;
            Classifier c = Models.loadClassifier(clfFile, null, null, null);
            ImageDataset test =
                    cfg.data() == null && cfg.useEmbedded()
                            ? EmbeddedFashionMnist.load().test()
                            : DataSource.load(
                                            cfg.data() == null ? null : Path.of(cfg.data()),
                                            DataSource.Kind.parse(cfg.dataset()),
                                            DataSource.FolderOptions.DEFAULT)
                                    .test();
            if (cfg.testLimit() > 0 && cfg.testLimit() < test.size())
                test = Experiment.limit(test, cfg.testLimit(), cfg.seed() + 1);
            if (needConfusion && metrics.has("classifier")) {
                ((ObjectNode) metrics.get("classifier"))
                        .set("confusion", toJson(Evaluation.confusion(c, test, cfg.batchSize())));
                AtomicFiles.writeString(metricsFile, json.writeValueAsString(metrics));
            }
            if (needBaselines)
                baselines(runDir.resolve("grids/baselines.png"), c, test, cfg.gridImages());
            for (int idx : needGallery) {
                LayerRef layer = c.layer(String.valueOf(idx));
                Path df = runDir.resolve("models/cladec_layer" + idx + ".safetensors"),
                        rf = runDir.resolve("models/refae_layer" + idx + ".safetensors");
                if (!Files.isRegularFile(df)) {
                    missing.add("the gallery of layer " + idx + " (no saved decoder)");
                    continue;
                }
                Decoder dec =
                        Decoder.forLayer(layer, c.channels(), c.widthMultiplier(), new Rng(0));
                Models.load(df, dec, Models.read(df, "cladec-decoder"));
                RefAE ae = null;
                if (Files.isRegularFile(rf)) {
                    ae =
                            new RefAE(
                                    c.channels(),
                                    c.classes(),
                                    c.widthMultiplier(),
                                    layer,
                                    new Rng(0));
                    Models.load(rf, ae, Models.read(rf, "refae"));
                }
                gallery(
                        runDir.resolve("grids/gallery-layer" + idx + ".png"),
                        c,
                        layer,
                        dec,
                        ae,
                        test,
                        4);
            }
        } catch (IOException | RuntimeException e) {
            missing.add("some pictures (" + e.getMessage() + ")");
            r.log("report: could not complete the run's pictures: " + e.getMessage());
        }
        return missing;
    }
}
