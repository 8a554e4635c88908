package org.cladec.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cladec.datasets.IdxFormat;
import org.cladec.datasets.Resize;
import org.cladec.engine.autograd.NoGrad;
import org.cladec.engine.tensor.Tensor;
import org.cladec.engine.tensor.Workspace;
import org.cladec.io.AtomicFiles;
import org.cladec.io.Models;
import org.cladec.model.Classifier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "classify",
        mixinStandardHelpOptions = true,
        description = {
            "Run a classifier (saved here or from PyTorch) on the images of an IDX file and write its logits as CSV:",
            "one row per image in input order, K comma-separated logits per row, written so that floats round-trip.",
            "Images are scaled to [0, 1] and resized to 32x32 exactly as in training (nearest, as F.interpolate(x, size=32))."
        })
final class ClassifyCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--model",
            paramLabel = "FILE",
            required = true,
            description = "Classifier weights (safetensors, PyTorch state_dict names).")
    Path model;

    @Option(
            names = "--images",
            paramLabel = "FILE",
            required = true,
            description = "Images: an idx3-ubyte file, gzip or raw.")
    Path images;

    @Option(
            names = {"-o", "--out"},
            paramLabel = "FILE",
            required = true,
            description = "Output CSV file.")
    Path out;

    @Option(
            names = "--width",
            paramLabel = "W",
            description = "Width multiplier (default: from the file).")
    Float width;

    @Option(
            names = "--classes",
            paramLabel = "K",
            description = "Number of classes (default: from the file).")
    Integer classes;

    @Option(
            names = "--channels",
            paramLabel = "C",
            description = "Input channels (default: from the file).")
    Integer channels;

    @Option(
            names = "--batch-size",
            paramLabel = "B",
            defaultValue = "256",
            description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "Threads (default: -Dengine.threads, else all cores).")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        CommonOptions c = new CommonOptions();
        c.threads = threads;
        c.applyThreads();
        CommonOptions.atLeast("--batch-size", batch, 1, "");
        Classifier clf = Models.loadClassifier(model, channels, classes, width);
        IdxFormat.Images im = IdxFormat.readImages(images);
        if (clf.channels() != 1) {
            throw new IllegalArgumentException(
                    images
                            + " holds grey images (1 channel), but the classifier takes "
                            + clf.channels()
                            + " channels");
        }
        int n = im.count(), S = Classifier.INPUT, K = clf.classes(), per = im.rows() * im.cols();
        StringBuilder csv = new StringBuilder(n * K * 12);
        float[] raw = new float[per];
        Workspace ws = new Workspace();
        clf.eval();
        for (int start = 0; start < n; start += batch) {
            int cnt = Math.min(batch, n - start);
            try (Workspace.Scope s = ws.open();
                    NoGrad g = NoGrad.enter()) {
                Tensor x = Tensor.empty(cnt, 1, S, S);
                for (int i = 0; i < cnt; i++) {
                    int base = (start + i) * per;
                    for (int p = 0; p < per; p++) raw[p] = (im.pixels()[base + p] & 0xFF) / 255f;
                    Resize.resize(
                            Resize.Mode.NEAREST,
                            raw,
                            0,
                            1,
                            im.rows(),
                            im.cols(),
                            x.data(),
                            i * S * S,
                            S,
                            S);
                }
                float[] logits = clf.forward(x).dense().data();
                for (int i = 0; i < cnt; i++) {
                    for (int k = 0; k < K; k++) {
                        if (k > 0) csv.append(',');
                        csv.append(
                                Float.toString(
                                        logits[i * K + k])); // shortest digits that round-trip
                    }
                    csv.append('\n');
                }
            }
        }
        AtomicFiles.writeString(out, csv.toString());
        spec.commandLine().getOut().printf("wrote %d rows of %d logits to %s%n", n, K, out);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
