package org.cladec.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.cladec.model.Classifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir Path dir;

    @Test
    void roundTripKeepsNamesShapesValuesAndMetadata() throws Exception {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("a.weight", Tensor.uniform(new Rng(1), -1, 1, 3, 4));
        t.put("scalar", Tensor.scalar(7f));
        t.put("empty", Tensor.zeros(0, 5));
        t.put("count", Tensor.scalar(123456f));
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, t, Set.of("count"), Map.of("note", "hello"));
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(
                List.of("a.weight", "scalar", "empty", "count"), List.copyOf(c.tensors().keySet()));
        assertArrayEquals(t.get("a.weight").toArray(), c.tensors().get("a.weight").toArray());
        assertEquals(0, c.tensors().get("scalar").dim());
        assertArrayEquals(new int[] {0, 5}, c.tensors().get("empty").shape());
        assertEquals("I64", c.dtypes().get("count"));
        assertEquals(123456f, c.tensors().get("count").item());
        assertEquals("hello", c.metadata().get("note"));
        long headerLen =
                ByteBuffer.wrap(Files.readAllBytes(f), 0, 8)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .getLong();
        assertEquals(0, (8 + headerLen) % 8, "data area aligned to 8 bytes");
    }

    @Test
    void classifierRoundTripThroughModels() throws Exception {
        Classifier c = Classifier.create(1, 10, 0.25f, new Rng(4));
        Path f = dir.resolve("clf.safetensors");
        Models.saveClassifier(f, c);
        Classifier back = Models.loadClassifier(f, null, null, null);
        assertEquals(0.25f, back.widthMultiplier());
        for (var e : c.stateDict().entrySet())
            assertArrayEquals(
                    e.getValue().toArray(), back.stateDict().get(e.getKey()).toArray(), e.getKey());
    }

    private Path raw(String header, byte[] data) throws Exception {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b =
                ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path f = Files.createTempFile(dir, "bad", ".safetensors");
        Files.write(f, b.array());
        return f;
    }

    private void fails(Path f, String fragment) {
        SafeTensors.FormatException e =
                assertThrows(SafeTensors.FormatException.class, () -> SafeTensors.read(f));
        assertTrue(
                e.getMessage().contains(fragment) && e.getMessage().contains(f.toString()),
                e.getMessage());
    }

    @Test
    void malformedFilesFailWithTheFieldNamed() throws Exception {
        fails(
                raw(
                        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                        new byte[4]),
                "beyond the 4-byte data area");
        fails(
                raw(
                        "{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
                        new byte[8]),
                "need 12 bytes");
        fails(
                raw("{\"x\":{\"dtype\":\"Q8\",\"shape\":[2],\"data_offsets\":[0,2]}}", new byte[2]),
                "unsupported dtype 'Q8'");
        fails(
                raw(
                        "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[2,6]}}",
                        new byte[6]),
                "overlaps");
        fails(
                raw(
                        "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                        new byte[8]),
                "hole");
        fails(
                raw(
                        "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                        new byte[8]),
                "not valid JSON");
        fails(raw("[1,2]", new byte[0]), "must be a JSON object");
        fails(
                raw(
                        "{\"x\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,0]}}",
                        new byte[0]),
                "shape[0]");
        Path tooLong = dir.resolve("long.safetensors");
        Files.write(
                tooLong,
                ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        fails(tooLong, "exceeds");
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[3]);
        fails(tiny, "too short");
    }

    @Test
    void halfAndBfloatAreConverted() throws Exception {
        ByteBuffer d = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        d.putShort((short) 0x3C00).putShort((short) 0xC000); // F16 1.0, -2.0
        d.putShort((short) 0x3F80).putShort((short) 0x4040); // BF16 1.0, 3.0
        Path f =
                raw(
                        "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]}}",
                        d.array());
        SafeTensors.Contents c = SafeTensors.read(f);
        assertArrayEquals(new float[] {1f, -2f}, c.tensors().get("h").toArray());
        assertArrayEquals(new float[] {1f, 3f}, c.tensors().get("b").toArray());
        assertEquals(65504f, SafeTensors.halfToFloat((short) 0x7BFF));
        assertEquals(Float.POSITIVE_INFINITY, SafeTensors.halfToFloat((short) 0x7C00));
        assertEquals(0x1.0p-24f, SafeTensors.halfToFloat((short) 0x0001));
    }

    @Test
    void unknownFormatVersionIsRefused() throws Exception {
        Path f = dir.resolve("future.safetensors");
        SafeTensors.write(
                f,
                Map.of("pred.weight", Tensor.zeros(2, 2)),
                Set.of(),
                Map.of("cladec.format", "99"));
        SafeTensors.FormatException e =
                assertThrows(SafeTensors.FormatException.class, () -> Models.read(f, null));
        assertTrue(e.getMessage().contains("cladec.format is '99'"), e.getMessage());
    }
}
