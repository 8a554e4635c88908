package org.cladec.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.cladec.datasets.DatasetException;
import org.cladec.datasets.IdxFormat;
import org.cladec.datasets.KnownDatasets;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.cladec.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of the file readers (IDX, CIFAR, safetensors): 10,000 mutated inputs per
 * reader, each one to three mutations (bit flips, byte overwrites, interesting integers over header
 * fields, truncation, appended garbage, deleted or duplicated slices, and mutations of the content
 * under a still-valid gzip). Only the documented exceptions may escape: {@link DatasetException}
 * and {@link SafeTensors.FormatException}; anything else (a RuntimeException, an OutOfMemoryError
 * from a trusted header) fails with the input that caused it.
 */
class ReaderFuzzTest {
    static final int INPUTS = 10_000;
    static final int[] INTERESTING = {
        0,
        1,
        -1,
        2,
        0x7F,
        0x80,
        0xFF,
        0x7FFF,
        0x10000,
        Integer.MAX_VALUE,
        Integer.MIN_VALUE,
        60000,
        784,
        3073,
        0x803,
        0x801
    };
    @TempDir Path dir;

    interface Reader {
        void read(Path p) throws Exception;
    }

    static byte[] gzip(byte[] b) throws Exception {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(o)) {
            g.write(b);
        }
        return o.toByteArray();
    }

    static byte[] mutate(byte[] in, Rng r, boolean bigEndian) {
        byte[] b = in.clone();
        int rounds = 1 + r.nextInt(3);
        for (int k = 0; k < rounds; k++) {
            int n = b.length;
            switch (r.nextInt(8)) {
                case 0 -> {
                    if (n > 0) b[r.nextInt(n)] ^= (byte) (1 << r.nextInt(8));
                }
                case 1 -> {
                    if (n > 0) b[r.nextInt(n)] = (byte) r.nextInt(256);
                }
                case 2 -> { // an interesting integer over a (likely header) field
                    if (n >= 4) {
                        int pos = r.nextInt(Math.min(n - 3, 24));
                        ByteBuffer.wrap(b, pos, 4)
                                .order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN)
                                .putInt(INTERESTING[r.nextInt(INTERESTING.length)]);
                    }
                }
                case 3 -> b = java.util.Arrays.copyOf(b, n == 0 ? 0 : r.nextInt(n));
                case 4 -> {
                    byte[] extra = new byte[1 + r.nextInt(64)];
                    for (int i = 0; i < extra.length; i++) extra[i] = (byte) r.nextInt(256);
                    byte[] c = java.util.Arrays.copyOf(b, n + extra.length);
                    System.arraycopy(extra, 0, c, n, extra.length);
                    b = c;
                }
                case 5 -> { // delete a slice
                    if (n > 1) {
                        int from = r.nextInt(n), len = 1 + r.nextInt(Math.min(32, n - from));
                        byte[] c = new byte[n - len];
                        System.arraycopy(b, 0, c, 0, from);
                        System.arraycopy(b, from + len, c, from, n - from - len);
                        b = c;
                    }
                }
                case 6 -> { // duplicate a slice
                    if (n > 1) {
                        int from = r.nextInt(n), len = 1 + r.nextInt(Math.min(32, n - from));
                        byte[] c = new byte[n + len];
                        System.arraycopy(b, 0, c, 0, from + len);
                        System.arraycopy(b, from, c, from + len, n - from);
                        b = c;
                    }
                }
                default -> {
                    if (n > 0) b[r.nextInt(n)] = (byte) INTERESTING[r.nextInt(INTERESTING.length)];
                }
            }
        }
        return b;
    }

    private void fuzz(
            String what,
            List<byte[]> seeds,
            boolean bigEndian,
            Class<? extends Exception> allowed,
            Reader... readers)
            throws Exception {
        Rng r = new Rng(what.hashCode());
        Path f = dir.resolve("input");
        int rejected = 0;
        for (int i = 0; i < INPUTS; i++) {
            byte[] seed = seeds.get(r.nextInt(seeds.size()));
            boolean underGzip = r.nextInt(4) == 0;
            byte[] input =
                    underGzip ? gzip(mutate(seed, r, bigEndian)) : mutate(seed, r, bigEndian);
            Files.write(f, input);
            for (Reader reader : readers) {
                try {
                    reader.read(f);
                } catch (Throwable t) {
                    if (allowed.isInstance(t)) {
                        rejected++;
                        assertTrue(
                                t.getMessage() != null && t.getMessage().startsWith(dir.toString()),
                                "message names the file: " + t.getMessage());
                    } else {
                        fail(
                                what
                                        + " input #"
                                        + i
                                        + " escaped with "
                                        + t
                                        + "; input hex: "
                                        + HexFormat.of()
                                                .formatHex(input, 0, Math.min(input.length, 200)),
                                t);
                    }
                }
            }
        }
        assertTrue(
                rejected > INPUTS / 10,
                what + ": the mutations reached the checks (" + rejected + " rejections)");
    }

    @Test
    void idx() throws Exception {
        ByteBuffer img =
                ByteBuffer.allocate(16 + 3 * 5 * 4).putInt(0x803).putInt(3).putInt(5).putInt(4);
        for (int i = 0; i < 60; i++) img.put((byte) i);
        ByteBuffer lab = ByteBuffer.allocate(8 + 6).putInt(0x801).putInt(6);
        for (int i = 0; i < 6; i++) lab.put((byte) i);
        List<byte[]> seeds =
                List.of(img.array(), lab.array(), gzip(img.array()), gzip(lab.array()));
        fuzz(
                "idx",
                seeds,
                true,
                DatasetException.class,
                IdxFormat::readImages,
                p -> IdxFormat.readLabels(p, 10));
    }

    @Test
    void cifar() throws Exception {
        byte[] c10 = new byte[2 * 3073], c100 = new byte[2 * 3074];
        c10[3073] = 9;
        c100[1] = 99;
        List<String> names100 = KnownDatasets.generic(100);
        fuzz(
                "cifar",
                List.of(c10, c100),
                true,
                DatasetException.class,
                p -> cifarFile(p, 1, 0, KnownDatasets.CIFAR10),
                p -> cifarFile(p, 2, 1, names100));
    }

    /**
     * Reads one CIFAR file through the public loader (copied to the official name in a folder of
     * its own).
     */
    private void cifarFile(Path p, int labelBytes, int labelIndex, List<String> names)
            throws Exception {
        Path d = dir.resolve(labelBytes == 1 ? "c10" : "c100");
        Files.createDirectories(d);
        if (labelBytes == 1) {
            for (int b = 1; b <= 5; b++)
                Files.copy(
                        p,
                        d.resolve("data_batch_" + b + ".bin"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(
                    p,
                    d.resolve("test_batch.bin"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            org.cladec.datasets.CifarFormat.loadCifar10(d, "fuzz");
        } else {
            Files.copy(
                    p, d.resolve("train.bin"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(p, d.resolve("test.bin"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            org.cladec.datasets.CifarFormat.loadCifar100(
                    d, org.cladec.datasets.CifarFormat.Labels.FINE, "fuzz");
        }
    }

    @Test
    void safetensors() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("a.weight", Tensor.uniform(new Rng(1), -1, 1, 2, 3));
        t.put("b", Tensor.scalar(5f));
        t.put("n", Tensor.scalar(12f));
        Path s1 = dir.resolve("s1.safetensors");
        SafeTensors.write(s1, t, Set.of("n"), Map.of("cladec.format", "1"));
        seeds.add(Files.readAllBytes(s1));
        String h =
                "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"BF16\",\"shape\":[1,1],\"data_offsets\":[4,6]}}";
        byte[] hb = h.getBytes(StandardCharsets.UTF_8);
        seeds.add(
                ByteBuffer.allocate(8 + hb.length + 6)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(hb.length)
                        .put(hb)
                        .put(new byte[6])
                        .array());
        fuzz(
                "safetensors",
                seeds,
                false,
                SafeTensors.FormatException.class,
                SafeTensors::read,
                SafeTensors::metadata);
    }
}
