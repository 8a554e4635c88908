package org.cladec.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.cladec.engine.ops.F;
import org.cladec.engine.tensor.Tensor;

/**
 * Compares the engine's convolutions, transposed convolutions and batch norms, values and
 * gradients, with the random cases PyTorch computed in {@code bench/scripts/torch_fuzz.py} (see
 * that script for the file's layout). Prints one line per mismatch and a summary; exits 1 if any
 * case differs by more than {@link #TOLERANCE} of its largest reference value, 2 on a bad file. Run
 * by {@code bench/torch-fuzz.sh}, with the kernels, vector width and thread count set by {@code -D}
 * options.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar org.cladec.bench.TorchFuzz cases.bin
 * </pre>
 */
public final class TorchFuzz {
    private TorchFuzz() {}

    /**
     * The largest difference allowed, as a fraction of the largest reference value: float32 sums
     * over up to ~10⁵ terms against float64 ones. A wrong kernel misses by whole values.
     */
    static final double TOLERANCE = 3e-5;

    /** The fields every case has. */
    private static final String[] FIELDS = {
        "kind", "stride", "padding", "output_padding", "bias", "relu", "tensors"
    };

    private int checks, failures;
    private double worst;
    private String worstWhere = "-";

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println(
                    "usage: TorchFuzz CASES_FILE (written by bench/scripts/torch_fuzz.py)");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        TorchFuzz run = new TorchFuzz();
        int cases;
        try {
            cases = run.all(file);
        } catch (NoSuchFileException e) {
            System.err.println(file + ": no such file");
            System.exit(2);
            return;
        } catch (IllegalArgumentException | IOException e) {
            System.err.println(file + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        System.out.printf(
                Locale.ROOT,
                "%d cases, %d checks, %d failures; largest difference %.2g of the reference, at %s%n",
                cases,
                run.checks,
                run.failures,
                run.worst,
                run.worstWhere);
        System.exit(run.failures == 0 ? 0 : 1);
    }

    private int all(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 8)
            throw new IllegalArgumentException("shorter than its 8-byte header length");
        long headerLength = in.getLong();
        if (headerLength < 2 || headerLength > bytes.length - 8)
            throw new IllegalArgumentException(
                    "header length "
                            + headerLength
                            + " does not fit a file of "
                            + bytes.length
                            + " bytes");
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        JsonNode cases = new ObjectMapper().readTree(header);
        if (!cases.isArray())
            throw new IllegalArgumentException("header: expected a JSON list of cases");
        in.position(8 + (int) headerLength);
        int i = 0;
        for (JsonNode c : cases) {
            String id = "case #" + i++;
            for (String field : FIELDS)
                if (c.get(field) == null)
                    throw new IllegalArgumentException(id + ": no field '" + field + "'");
            Map<String, Tensor> tensors = read(id, c, in);
            try {
                compare(id, c, tensors);
            } catch (IllegalArgumentException e) {
                // a tensor or field the kind needs is missing, or the shapes do not fit together
                throw new IllegalArgumentException(
                        id + " (" + c.get("kind").asText() + "): " + e.getMessage(), e);
            }
        }
        if (in.hasRemaining())
            throw new IllegalArgumentException(in.remaining() + " bytes left after the last case");
        return i;
    }

    /** The case's tensors, read in file order. */
    private static Map<String, Tensor> read(String id, JsonNode c, ByteBuffer in) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        if (!c.get("tensors").isArray())
            throw new IllegalArgumentException(id + ": 'tensors' is not a list");
        for (JsonNode spec : c.get("tensors")) {
            if (spec.get("name") == null
                    || spec.get("shape") == null
                    || !spec.get("shape").isArray())
                throw new IllegalArgumentException(
                        id + ": a tensor without a 'name' and a 'shape' list: " + spec);
            int[] shape = new int[spec.get("shape").size()];
            int n = 1;
            for (int d = 0; d < shape.length; d++)
                n = Math.multiplyExact(n, shape[d] = spec.get("shape").get(d).asInt());
            if ((long) n * 4 > in.remaining())
                throw new IllegalArgumentException(
                        id
                                + ": tensor '"
                                + spec.get("name").asText()
                                + "' "
                                + Arrays.toString(shape)
                                + " runs past the end of the file");
            float[] data = new float[n];
            in.asFloatBuffer().get(data);
            in.position(in.position() + 4 * n);
            t.put(spec.get("name").asText(), Tensor.of(data, shape));
        }
        return t;
    }

    private void compare(String id, JsonNode c, Map<String, Tensor> t) {
        String kind = c.get("kind").asText();
        int sh = c.get("stride").get(0).asInt(), sw = c.get("stride").get(1).asInt();
        int ph = c.get("padding").get(0).asInt(), pw = c.get("padding").get(1).asInt();
        int oph = c.get("output_padding").get(0).asInt(),
                opw = c.get("output_padding").get(1).asInt();
        Map<String, Tensor> leaves = new LinkedHashMap<>(); // gradient's name -> the leaf
        Tensor x = leaf(t, leaves, "x", "dx", true);
        String where =
                String.format(
                        Locale.ROOT,
                        "%s %s x%s%s stride %d,%d padding %d,%d%s%s",
                        id,
                        kind,
                        Arrays.toString(x.shape()),
                        t.containsKey("w") ? " w" + Arrays.toString(need(t, "w").shape()) : "",
                        sh,
                        sw,
                        ph,
                        pw,
                        kind.equals("conv_transpose") ? " output padding " + oph + "," + opw : "",
                        c.get("relu").asBoolean() ? " relu" : "");
        Tensor out;
        switch (kind) {
            case "conv", "conv_transpose" -> {
                Tensor w = leaf(t, leaves, "w", "dw", true), b = leaf(t, leaves, "b", "db", false);
                out =
                        kind.equals("conv")
                                ? F.conv2d(x, w, b, sh, sw, ph, pw)
                                : F.convTranspose2d(x, w, b, sh, sw, ph, pw, oph, opw);
            }
            case "conv_bn_relu" ->
                    out =
                            F.conv2dBatchNormRelu(
                                    x,
                                    need(t, "w"),
                                    sh,
                                    ph,
                                    need(t, "running_mean"),
                                    need(t, "running_var"),
                                    need(t, "gamma"),
                                    need(t, "beta"),
                                    1e-5f);
            case "batch_norm" -> {
                int channels = x.shape(1);
                float[] ones = new float[channels];
                Arrays.fill(ones, 1f);
                Tensor mean = Tensor.of(new float[channels], channels),
                        var = Tensor.of(ones, channels);
                Tensor g = leaf(t, leaves, "gamma", "dgamma", true),
                        b = leaf(t, leaves, "beta", "dbeta", true);
                out =
                        c.get("relu").asBoolean()
                                ? F.batchNormRelu(x, mean, var, g, b, true, 0.1f, 1e-5f)
                                : F.batchNorm(x, mean, var, g, b, true, 0.1f, 1e-5f);
                check(where + " running_mean", need(t, "running_mean"), mean);
                check(where + " running_var", need(t, "running_var"), var);
            }
            case "linear", "matmul" -> {
                Tensor w = leaf(t, leaves, "w", "dw", true), b = leaf(t, leaves, "b", "db", false);
                out = kind.equals("linear") ? F.linear(x, w, b) : F.matmul(x, w);
            }
            case "max_pool", "avg_pool" -> {
                if (c.get("kernel") == null)
                    throw new IllegalArgumentException("no field 'kernel'");
                int k = c.get("kernel").asInt();
                out =
                        kind.equals("max_pool")
                                ? F.maxPool2d(x, k, sh, ph)
                                : F.avgPool2d(x, k, sh, ph);
            }
            case "cross_entropy" -> {
                float[] l = need(t, "labels").toArray();
                int[] labels = new int[l.length];
                for (int i = 0; i < l.length; i++) labels[i] = (int) l[i];
                out = F.reshape(F.crossEntropy(x, labels), 1);
            }
            case "mse" -> out = F.reshape(F.mse(x, need(t, "target")), 1);
            case "bce" -> out = F.reshape(F.bce(x, need(t, "target")), 1);
            default -> throw new IllegalArgumentException("unknown kind '" + kind + "'");
        }
        check(where + " out", need(t, "out"), out);
        F.sum(F.mul(out, need(t, "dout"))).backward();
        for (Map.Entry<String, Tensor> e : leaves.entrySet())
            check(where + " " + e.getKey(), need(t, e.getKey()), e.getValue().grad());
    }

    /**
     * The case's tensor {@code name} as a leaf whose gradient is checked against its tensor {@code
     * grad}; null where it is absent and not {@code needed} (an optional bias).
     */
    private static Tensor leaf(
            Map<String, Tensor> t,
            Map<String, Tensor> leaves,
            String name,
            String grad,
            boolean needed) {
        if (!needed && !t.containsKey(name)) return null;
        Tensor v = need(t, name).setRequiresGrad(true);
        leaves.put(grad, v);
        return v;
    }

    /** The case's tensor {@code name}, which its kind needs. */
    private static Tensor need(Map<String, Tensor> t, String name) {
        Tensor v = t.get(name);
        if (v == null) throw new IllegalArgumentException("no tensor '" + name + "'");
        return v;
    }

    private void check(String where, Tensor reference, Tensor got) {
        checks++;
        if (!Arrays.equals(reference.shape(), got.shape())) {
            failures++;
            System.out.println(
                    "FAIL "
                            + where
                            + ": shape "
                            + Arrays.toString(got.shape())
                            + ", expected "
                            + Arrays.toString(reference.shape()));
            return;
        }
        float[] ref = reference.toArray(), val = got.toArray();
        double scale = Double.MIN_NORMAL, err = 0;
        int at = 0;
        for (float v : ref) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < ref.length; i++) {
            double e = Math.abs((double) ref[i] - val[i]);
            if (!(e <= err)) { // NaN counts as the worst
                err = e;
                at = i;
            }
        }
        double rel = err / scale;
        if (!(rel <= worst)) {
            worst = rel;
            worstWhere = where;
        }
        if (!(rel <= TOLERANCE)) {
            failures++;
            System.out.printf(
                    Locale.ROOT,
                    "FAIL %s: element %d is %s, PyTorch %s (%.2g of the largest reference value)%n",
                    where,
                    at,
                    val[at],
                    ref[at],
                    rel);
        }
    }
}
