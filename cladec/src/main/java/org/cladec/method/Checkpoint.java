package org.cladec.method;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cladec.engine.nn.Dropout;
import org.cladec.engine.nn.Module;
import org.cladec.engine.optim.Optimizer;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.cladec.io.Models;
import org.cladec.io.SafeTensors;

/**
 * The end-of-epoch state of one training job, in one safetensors file written atomically: the
 * model's state dict ({@code model.*}), the optimizer's buffers ({@code optim.*}), and in {@code
 * __metadata__} the completed epochs and steps, the optimizer's counters, the state of every random
 * generator the model draws from (its dropout layers), and the loss history so far.
 *
 * <p>Restoring all of it and continuing with the same seed and thread count reproduces the
 * uninterrupted run bit for bit: batch order depends only on (seed, epoch), and every kernel
 * computes each element the same way whatever the thread split.
 */
public final class Checkpoint {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;

    /** A checkpoint stored in {@code file}. */
    public Checkpoint(Path file) {
        this.file = file;
    }

    /** The checkpoint file. */
    public Path file() {
        return file;
    }

    /** The generators of every dropout layer in {@code m}, in module order. */
    static List<Rng> rngs(Module m) {
        List<Rng> out = new ArrayList<>();
        if (m instanceof Dropout d) out.add(d.rng());
        for (Module c : m.children().values()) out.addAll(rngs(c));
        return out;
    }

    /** Writes the state after {@code epochs} completed epochs and {@code steps} steps. */
    void save(Module model, Optimizer opt, int epochs, long steps, History h) throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        Set<String> integral = new LinkedHashSet<>();
        model.stateDict().forEach((k, v) -> t.put("model." + k, v));
        for (String k : model.integralStateKeys()) integral.add("model." + k);
        opt.state().forEach((k, v) -> t.put("optim." + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("epochs", String.valueOf(epochs));
        meta.put("steps", String.valueOf(steps));
        meta.put("lr", String.valueOf(opt.lr()));
        opt.counters().forEach((k, v) -> meta.put("optim." + k, v));
        List<Rng> rngs = rngs(model);
        for (int i = 0; i < rngs.size(); i++) {
            long[] s = rngs.get(i).state();
            meta.put("rng." + i, s[0] + "," + s[1] + "," + s[2] + "," + s[3]);
        }
        ObjectNode hist = JSON.createObjectNode();
        ArrayNode loss = hist.putArray("loss");
        h.loss.forEach(loss::add);
        ArrayNode acc = hist.putArray("test_accuracy");
        h.testAccuracy.forEach(acc::add);
        hist.put("seconds", h.seconds);
        meta.put("history", JSON.writeValueAsString(hist));
        SafeTensors.write(file, t, integral, withFormat(meta));
    }

    private static Map<String, String> withFormat(Map<String, String> meta) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", "pt");
        m.put("cladec.format", Models.FORMAT);
        m.put("cladec.kind", "checkpoint");
        m.putAll(meta);
        return m;
    }

    /** The completed epochs recorded in the file, or 0 when there is no checkpoint. */
    int epochs() throws IOException {
        if (!Files.isRegularFile(file)) return 0;
        return Integer.parseInt(SafeTensors.metadata(file).getOrDefault("epochs", "0"));
    }

    /**
     * Restores model, optimizer, generators and history from the file; returns the completed epochs
     * and steps, or null when there is no checkpoint.
     */
    long[] restore(Module model, Optimizer opt, History h) throws IOException {
        if (!Files.isRegularFile(file)) return null;
        SafeTensors.Contents c = Models.read(file, "checkpoint");
        Map<String, Tensor> modelState = new LinkedHashMap<>(), optState = new LinkedHashMap<>();
        c.tensors()
                .forEach(
                        (k, v) -> {
                            if (k.startsWith("model.")) modelState.put(k.substring(6), v);
                            else if (k.startsWith("optim.")) optState.put(k.substring(6), v);
                        });
        try {
            model.loadStateDict(modelState, true);
            Map<String, String> counters = new LinkedHashMap<>();
            c.metadata()
                    .forEach(
                            (k, v) -> {
                                if (k.startsWith("optim.")) counters.put(k.substring(6), v);
                            });
            opt.loadState(optState, counters);
        } catch (IllegalArgumentException e) {
            throw new SafeTensors.FormatException(
                    file, "checkpoint does not fit this job: " + e.getMessage(), e);
        }
        List<Rng> rngs = rngs(model);
        for (int i = 0; i < rngs.size(); i++) {
            String s = c.metadata().get("rng." + i);
            if (s == null)
                throw new SafeTensors.FormatException(file, "__metadata__ lacks rng." + i);
            String[] p = s.split(",");
            rngs.get(i)
                    .setState(
                            new long[] {
                                Long.parseLong(p[0]),
                                Long.parseLong(p[1]),
                                Long.parseLong(p[2]),
                                Long.parseLong(p[3])
                            });
        }
        opt.setLr(Float.parseFloat(c.metadata().get("lr")));
        JsonNode hist = JSON.readTree(c.metadata().getOrDefault("history", "{}"));
        h.loss.clear();
        h.testAccuracy.clear();
        if (hist.has("loss")) hist.get("loss").forEach(v -> h.loss.add(v.asDouble()));
        if (hist.has("test_accuracy"))
            hist.get("test_accuracy").forEach(v -> h.testAccuracy.add(v.asDouble()));
        h.seconds = hist.path("seconds").asDouble(0);
        return new long[] {
            Long.parseLong(c.metadata().get("epochs")),
            Long.parseLong(c.metadata().getOrDefault("steps", "0"))
        };
    }
}
