package org.cladec.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.cladec.engine.tensor.Tensor;

/** Reads the committed JSON fixtures under {@code src/test/resources/fixtures}. */
public final class Fixtures {
    private Fixtures() {}

    public static JsonNode json(String resource) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + resource)) {
            if (in == null)
                throw new IllegalStateException("missing fixture /fixtures/" + resource);
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cases of {@code engine/torch_ops.json} whose name is {@code name}. */
    public static List<JsonNode> torchCases(String name) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode c : json("engine/torch_ops.json").get("cases"))
            if (c.get("name").asText().equals(name)) out.add(c);
        if (out.isEmpty()) throw new IllegalStateException("no fixture cases named " + name);
        return out;
    }

    /** A tensor stored as {@code {"shape": [...], "data": [...]}}. */
    public static Tensor tensor(JsonNode node) {
        JsonNode s = node.get("shape"), d = node.get("data");
        int[] shape = new int[s.size()];
        for (int i = 0; i < shape.length; i++) shape[i] = s.get(i).asInt();
        float[] data = new float[d.size()];
        for (int i = 0; i < data.length; i++) data[i] = (float) d.get(i).asDouble();
        return Tensor.of(data, shape);
    }

    public static Tensor tensor(JsonNode testCase, String name) {
        JsonNode n = testCase.get("tensors").get(name);
        if (n == null) throw new IllegalStateException("fixture case has no tensor " + name);
        return tensor(n);
    }
}
