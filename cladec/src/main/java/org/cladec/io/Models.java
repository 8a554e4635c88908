package org.cladec.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cladec.engine.nn.Module;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Shape;
import org.cladec.engine.tensor.Tensor;
import org.cladec.model.Classifier;

/**
 * Saving and loading models as safetensors files with PyTorch {@code state_dict} names. Every file
 * carries {@code cladec.format} (the version of this layout) and {@code cladec.kind} in {@code
 * __metadata__}; a file with another version is refused with a clear message. Files without {@code
 * cladec.*} metadata (e.g. saved from PyTorch) load as classifiers, the architecture taken from the
 * tensor shapes.
 */
public final class Models {
    private Models() {}

    /** The version of the saved layout that this code writes and reads. */
    public static final String FORMAT = "1";

    /** Saves any module's state with {@code metadata} (kind etc.) added to the standard entries. */
    public static void save(Path file, Module m, String kind, Map<String, String> metadata)
            throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("cladec.format", FORMAT);
        meta.put("cladec.kind", kind);
        meta.putAll(metadata);
        SafeTensors.write(file, m.stateDict(), m.integralStateKeys(), meta);
    }

    /** Saves a classifier with its architecture in the metadata. */
    public static void saveClassifier(Path file, Classifier c) throws IOException {
        save(
                file,
                c,
                "classifier",
                Map.of(
                        "cladec.channels",
                        String.valueOf(c.channels()),
                        "cladec.classes",
                        String.valueOf(c.classes()),
                        "cladec.width",
                        String.valueOf(c.widthMultiplier())));
    }

    /**
     * Reads a file and checks its {@code cladec.format} (if any) and {@code cladec.kind} (if
     * expected).
     */
    public static SafeTensors.Contents read(Path file, String expectedKind) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file);
        String v = c.metadata().get("cladec.format");
        if (v != null && !v.equals(FORMAT)) {
            throw new SafeTensors.FormatException(
                    file,
                    "__metadata__ cladec.format is '"
                            + v
                            + "', but this version reads format "
                            + FORMAT);
        }
        String kind = c.metadata().get("cladec.kind");
        if (expectedKind != null && kind != null && !kind.equals(expectedKind)) {
            throw new SafeTensors.FormatException(
                    file, "holds a " + kind + ", but a " + expectedKind + " was expected");
        }
        return c;
    }

    /**
     * Loads {@code state} into {@code m}; every missing, unexpected or mis-shaped entry is listed.
     */
    public static void load(Path file, Module m, SafeTensors.Contents c) throws IOException {
        try {
            m.loadStateDict(c.tensors(), true);
        } catch (IllegalArgumentException e) {
            throw new SafeTensors.FormatException(file, e.getMessage(), e);
        }
    }

    /** Architecture of a classifier file. */
    public record Architecture(int channels, int classes, float width) {}

    /**
     * The classifier architecture stored in {@code c}: from the tensor shapes ({@code
     * blocks.0.conv.weight} gives the input channels, {@code pred.weight} the classes, the conv
     * widths the width multiplier), checked against the metadata when present. Any of channels,
     * classes or width may be forced by a non-null override.
     */
    public static Architecture architecture(
            Path file, SafeTensors.Contents c, Integer channels, Integer classes, Float width)
            throws IOException {
        Map<String, Tensor> t = c.tensors();
        Tensor first = t.get("blocks.0.conv.weight"),
                last = t.get("blocks.7.conv.weight"),
                pred = t.get("pred.weight");
        List<String> missing = new ArrayList<>();
        if (first == null) missing.add("blocks.0.conv.weight");
        if (last == null) missing.add("blocks.7.conv.weight");
        if (pred == null) missing.add("pred.weight");
        if (!missing.isEmpty())
            throw new SafeTensors.FormatException(
                    file, "not a ClaDec classifier: missing " + String.join(", ", missing));
        if (first.dim() != 4 || last.dim() != 4 || pred.dim() != 2) {
            throw new SafeTensors.FormatException(
                    file,
                    "not a ClaDec classifier: blocks.0.conv.weight "
                            + Shape.str(first.shapeRef())
                            + ", blocks.7.conv.weight "
                            + Shape.str(last.shapeRef())
                            + ", pred.weight "
                            + Shape.str(pred.shapeRef()));
        }
        int ch = channels != null ? channels : first.shape(1);
        int k = classes != null ? classes : pred.shape(0);
        float w = width != null ? width : inferWidth(last.shape(0));
        if (width == null) {
            String meta = c.metadata().get("cladec.width");
            if (meta != null) {
                try {
                    float m = Float.parseFloat(meta);
                    if (Classifier.width(512, m) == last.shape(0)) w = m;
                } catch (NumberFormatException e) {
                    throw new SafeTensors.FormatException(
                            file, "__metadata__ cladec.width '" + meta + "' is not a number", e);
                }
            }
        }
        return new Architecture(ch, k, w);
    }

    private static float inferWidth(int lastWidth) {
        return lastWidth / 512f;
    }

    /** Loads a classifier saved by {@link #saveClassifier} or from PyTorch with the same names. */
    public static Classifier loadClassifier(
            Path file, Integer channels, Integer classes, Float width) throws IOException {
        SafeTensors.Contents c = read(file, "classifier");
        Architecture a = architecture(file, c, channels, classes, width);
        Classifier clf;
        try {
            clf = Classifier.create(a.channels(), a.classes(), a.width(), new Rng(0));
        } catch (IllegalArgumentException e) {
            throw new SafeTensors.FormatException(
                    file, "cannot build a classifier for " + a + ": " + e.getMessage(), e);
        }
        load(file, clf, c);
        clf.eval();
        return clf;
    }
}
