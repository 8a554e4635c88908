package org.cladec.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cladec.engine.tensor.Shape;
import org.cladec.engine.tensor.Tensor;

/**
 * The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON mapping each tensor name to {@code dtype}, {@code shape} and
 * {@code data_offsets} [begin, end) relative to the data area (plus an optional string map {@code
 * __metadata__}), then the raw little-endian data.
 *
 * <p>Reading validates the whole header before reading any data: the header length fits in the
 * file, every entry is well formed, dtype and shape agree with the byte count, offsets lie in the
 * data area, entries neither overlap nor leave holes. F32, F16, BF16, F64 and the integer types are
 * read and converted to float. Writing produces F32 (and I64 for integral buffers such as {@code
 * num_batches_tracked}), atomically.
 */
public final class SafeTensors {
    private SafeTensors() {}

    /** Largest header we accept (the reference implementation's limit is 100 MB). */
    static final long MAX_HEADER = 100L << 20;

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** A malformed or unreadable safetensors file; the message names the file and the field. */
    public static final class FormatException extends IOException {
        private static final long serialVersionUID = 1L;

        /** A problem with {@code file}, described by {@code problem}. */
        public FormatException(Path file, String problem) {
            super(file + ": " + problem);
        }

        /** A problem with {@code file} caused by {@code cause}. */
        public FormatException(Path file, String problem, Throwable cause) {
            super(file + ": " + problem, cause);
        }
    }

    /**
     * The contents of a file.
     *
     * @param tensors tensors by name, in file order
     * @param dtypes the stored dtype of each tensor
     * @param metadata the {@code __metadata__} map (empty when absent)
     */
    public record Contents(
            Map<String, Tensor> tensors,
            Map<String, String> dtypes,
            Map<String, String> metadata) {}

    private record Entry(String name, String dtype, int[] shape, long begin, long end) {}

    private static int dtypeSize(String dtype) {
        return switch (dtype) {
            case "F64", "I64", "U64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "I8", "U8", "BOOL" -> 1;
            default -> -1;
        };
    }

    /** Reads and validates {@code file}. */
    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            byte[] header = header(ch, size, file);
            long n = header.length;
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = parseHeader(file, header, size - 8 - n, metadata);
            long dataStart = 8 + n;
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Map<String, String> dtypes = new LinkedHashMap<>();
            for (Entry e : entries) {
                int bytes = (int) (e.end - e.begin);
                ByteBuffer db = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, db, dataStart + e.begin, file);
                tensors.put(e.name, Tensor.wrap(decode(e.dtype, db, Shape.size(e.shape)), e.shape));
                dtypes.put(e.name, e.dtype);
            }
            return new Contents(tensors, dtypes, metadata);
        } catch (NoSuchFileException e) {
            throw new FormatException(file, "file not found", e);
        }
    }

    /** The header bytes after checking the 8-byte length against the file. */
    private static byte[] header(FileChannel ch, long size, Path file) throws IOException {
        if (size < 8)
            throw new FormatException(
                    file, "file is " + size + " bytes, too short for the 8-byte header length");
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0, file);
        long n = lenBuf.getLong(0);
        if (n < 2 || n > MAX_HEADER)
            throw new FormatException(
                    file, "header length " + n + " is outside [2, " + MAX_HEADER + "]");
        if (n > size - 8)
            throw new FormatException(
                    file,
                    "header length "
                            + n
                            + " exceeds the "
                            + (size - 8)
                            + " bytes after the length field");
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        readFully(ch, hb, 8, file);
        return hb.array();
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos, Path file)
            throws IOException {
        while (b.hasRemaining()) {
            int r = ch.read(b, pos + b.position());
            if (r < 0)
                throw new FormatException(
                        file, "unexpected end of file at byte " + (pos + b.position()));
        }
        b.flip();
    }

    private static List<Entry> parseHeader(
            Path file, byte[] header, long dataLen, Map<String, String> metadata)
            throws FormatException {
        JsonNode root;
        try {
            root = JSON.readTree(new String(header, StandardCharsets.UTF_8).stripTrailing());
        } catch (JsonProcessingException e) {
            throw new FormatException(
                    file, "header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject())
            throw new FormatException(file, "header must be a JSON object");
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String name = f.getKey();
            JsonNode v = f.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject())
                    throw new FormatException(file, "__metadata__ must be an object of strings");
                for (Iterator<Map.Entry<String, JsonNode>> m = v.fields(); m.hasNext(); ) {
                    Map.Entry<String, JsonNode> kv = m.next();
                    if (!kv.getValue().isTextual())
                        throw new FormatException(
                                file, "__metadata__." + kv.getKey() + " must be a string");
                    metadata.put(kv.getKey(), kv.getValue().asText());
                }
                continue;
            }
            String where = "tensor '" + name + "'";
            if (!v.isObject())
                throw new FormatException(
                        file, where + ": expected an object with dtype, shape and data_offsets");
            JsonNode dt = v.get("dtype"), sh = v.get("shape"), off = v.get("data_offsets");
            if (dt == null || !dt.isTextual())
                throw new FormatException(file, where + ": field dtype missing or not a string");
            String dtype = dt.asText();
            int es = dtypeSize(dtype);
            if (es < 0)
                throw new FormatException(file, where + ": unsupported dtype '" + dtype + "'");
            if (sh == null || !sh.isArray())
                throw new FormatException(file, where + ": field shape missing or not an array");
            int[] shape = new int[sh.size()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                JsonNode d = sh.get(i);
                if (!d.isIntegralNumber() || d.asLong() < 0 || d.asLong() > Integer.MAX_VALUE) {
                    throw new FormatException(
                            file,
                            where
                                    + ": shape["
                                    + i
                                    + "] must be a non-negative integer, but is "
                                    + d);
                }
                shape[i] = (int) d.asLong();
                count = Math.multiplyHigh(count, shape[i]) != 0 ? Long.MAX_VALUE : count * shape[i];
                if (count > Integer.MAX_VALUE)
                    throw new FormatException(
                            file,
                            where + ": shape " + sh + " has more elements than a Java array holds");
            }
            if (off == null
                    || !off.isArray()
                    || off.size() != 2
                    || !off.get(0).isIntegralNumber()
                    || !off.get(1).isIntegralNumber()) {
                throw new FormatException(
                        file, where + ": field data_offsets must be [begin, end]");
            }
            long begin = off.get(0).asLong(), end = off.get(1).asLong();
            if (begin < 0 || end < begin)
                throw new FormatException(
                        file,
                        where + ": data_offsets [" + begin + ", " + end + "] are not an interval");
            if (end > dataLen)
                throw new FormatException(
                        file,
                        where
                                + ": data_offsets end "
                                + end
                                + " is beyond the "
                                + dataLen
                                + "-byte data area");
            if (end - begin != count * es) {
                throw new FormatException(
                        file,
                        where
                                + ": dtype "
                                + dtype
                                + " and shape "
                                + sh
                                + " need "
                                + count * es
                                + " bytes, but data_offsets span "
                                + (end - begin));
            }
            entries.add(new Entry(name, dtype, shape, begin, end));
        }
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long pos = 0;
        for (Entry e : sorted) {
            if (e.begin < pos)
                throw new FormatException(
                        file,
                        "tensor '"
                                + e.name
                                + "' overlaps the previous tensor (data_offsets "
                                + e.begin
                                + " < "
                                + pos
                                + ")");
            if (e.begin > pos)
                throw new FormatException(
                        file,
                        "the data area has a hole before tensor '"
                                + e.name
                                + "' (bytes "
                                + pos
                                + " to "
                                + e.begin
                                + ")");
            pos = e.end;
        }
        if (pos != dataLen)
            throw new FormatException(
                    file, "the tensors cover " + pos + " bytes but the data area has " + dataLen);
        sorted.sort(Comparator.comparingLong(Entry::begin));
        return sorted;
    }

    private static float[] decode(String dtype, ByteBuffer b, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] =
                    switch (dtype) {
                        case "F32" -> b.getFloat(i * 4);
                        case "F64" -> (float) b.getDouble(i * 8);
                        case "F16" -> halfToFloat(b.getShort(i * 2));
                        case "BF16" -> Float.intBitsToFloat((b.getShort(i * 2) & 0xFFFF) << 16);
                        case "I64" -> (float) b.getLong(i * 8);
                        case "U64" -> unsignedToFloat(b.getLong(i * 8));
                        case "I32" -> (float) b.getInt(i * 4);
                        case "U32" -> (float) (b.getInt(i * 4) & 0xFFFFFFFFL);
                        case "I16" -> (float) b.getShort(i * 2);
                        case "U16" -> (float) (b.getShort(i * 2) & 0xFFFF);
                        case "I8" -> (float) b.get(i);
                        case "U8" -> (float) (b.get(i) & 0xFF);
                        case "BOOL" -> b.get(i) != 0 ? 1f : 0f;
                        default -> throw new IllegalStateException(dtype);
                    };
        }
        return out;
    }

    /** IEEE 754 half precision to float (Float.float16ToFloat exists only from Java 20). */
    static float halfToFloat(short h) {
        int bits = h & 0xFFFF,
                sign = (bits & 0x8000) << 16,
                exp = (bits >>> 10) & 0x1F,
                mant = bits & 0x3FF;
        if (exp == 0x1F) return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13)); // inf, NaN
        if (exp == 0) {
            float v = mant * 0x1.0p-24f; // subnormal (or zero)
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private static float unsignedToFloat(long v) {
        return v >= 0 ? (float) v : ((float) (v >>> 1)) * 2f;
    }

    /**
     * Atomically writes {@code tensors} (F32, or I64 for names in {@code integral}) with {@code
     * metadata}, in the given order.
     */
    public static void write(
            Path file,
            Map<String, Tensor> tensors,
            Set<String> integral,
            Map<String, String> metadata)
            throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            boolean i64 = integral.contains(e.getKey());
            long bytes = (long) e.getValue().size() * (i64 ? 8 : 4);
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", i64 ? "I64" : "F32");
            var shape = t.putArray("shape");
            for (int d : e.getValue().shapeRef()) shape.add(d);
            var off = t.putArray("data_offsets");
            off.add(offset);
            off.add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded =
                (json.length + 7) / 8 * 8; // align the data area to 8 bytes, padding with spaces
        AtomicFiles.write(
                file,
                out -> {
                    ByteBuffer len =
                            ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
                    out.write(len.array());
                    out.write(json);
                    for (int i = json.length; i < padded; i++) out.write(' ');
                    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                        boolean i64 = integral.contains(e.getKey());
                        float[] v = e.getValue().toArray();
                        ByteBuffer b =
                                ByteBuffer.allocate(v.length * (i64 ? 8 : 4))
                                        .order(ByteOrder.LITTLE_ENDIAN);
                        for (float f : v) {
                            if (i64) b.putLong((long) f);
                            else b.putFloat(f);
                        }
                        out.write(b.array());
                    }
                });
    }

    /** Reads only the header's {@code __metadata__} (cheap; for identifying a file). */
    public static Map<String, String> metadata(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            byte[] header = header(ch, size, file);
            Map<String, String> metadata = new LinkedHashMap<>();
            parseHeader(file, header, size - 8 - header.length, metadata); // validated as by read
            return metadata;
        } catch (NoSuchFileException e) {
            throw new FormatException(file, "file not found", e);
        }
    }
}
