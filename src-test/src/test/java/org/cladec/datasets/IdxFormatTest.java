package org.cladec.datasets;

import static org.cladec.datasets.DataFiles.gzip;
import static org.cladec.datasets.DataFiles.idxImages;
import static org.cladec.datasets.DataFiles.idxLabels;
import static org.cladec.datasets.DataFiles.labels;
import static org.cladec.datasets.DataFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFormatTest {
    @TempDir Path dir;

    private void fails(Path file, String... fragments) {
        DatasetException e = assertThrows(DatasetException.class, () -> IdxFormat.readImages(file));
        assertEquals(file, e.file());
        for (String f : fragments)
            assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' lacks '" + f + "'");
        assertTrue(
                e.getMessage().startsWith(file.toString()),
                "the message names the file: " + e.getMessage());
    }

    @Test
    void readsRawAndGzippedFilesIdentically() throws Exception {
        byte[] raw = idxImages(5, 4, 3, 5);
        IdxFormat.Images a = IdxFormat.readImages(write(dir, "a-idx3-ubyte", raw));
        IdxFormat.Images b = IdxFormat.readImages(write(dir, "b-idx3-ubyte.gz", gzip(raw)));
        assertEquals(5, a.count());
        assertEquals(4, a.rows());
        assertEquals(3, a.cols());
        assertArrayEquals(a.pixels(), b.pixels());
        assertArrayEquals(Arrays.copyOfRange(raw, 16, raw.length), a.pixels());
        // gzip is detected by content, not by name
        assertEquals(5, IdxFormat.readImages(write(dir, "c-idx3-ubyte", gzip(raw))).count());
    }

    @Test
    void truncatedFilesFailNamingTheClaim() throws Exception {
        byte[] raw = idxImages(5, 4, 3, 5);
        fails(
                write(dir, "t-idx3-ubyte", Arrays.copyOf(raw, raw.length - 7)),
                "header claims 5 images of 4x3",
                "53");
        fails(write(dir, "h-idx3-ubyte", Arrays.copyOf(raw, 10)), "truncated IDX image header");
        byte[] gz = gzip(raw);
        fails(write(dir, "t-idx3-ubyte.gz", Arrays.copyOf(gz, gz.length - 12)), "gzip");
    }

    @Test
    void corruptGzipIsReported() throws Exception {
        byte[] gz = gzip(idxImages(50, 8, 8, 50));
        for (int i = 20; i < gz.length - 10; i += 7) gz[i] ^= 0x5A;
        fails(write(dir, "corrupt-idx3-ubyte.gz", gz), "gzip");
    }

    @Test
    void wrongMagicTypeOrRankFails() throws Exception {
        byte[] raw = idxImages(2, 2, 2, 2);
        byte[] bad = raw.clone();
        bad[0] = 0x42;
        fails(write(dir, "m1", bad), "bad magic number", "not an IDX file");
        bad = raw.clone();
        bad[2] = 0x0D; // float
        fails(write(dir, "m2", bad), "unsupported IDX element type 0x0D");
        fails(
                write(dir, "labels-as-images", idxLabels(new int[] {1, 2})),
                "1 dimensions, expected 3");
    }

    @Test
    void hugeClaimedCountsFailWithoutHugeAllocations() throws Exception {
        // 2^31 - 1 images of 28x28: more than any array; and a plausible claim with tiny data.
        fails(
                write(dir, "huge", idxImages(1, 28, 28, Integer.MAX_VALUE)),
                "more than one Java array can hold");
        fails(
                write(dir, "huge.gz", gzip(idxImages(1, 28, 28, Integer.MAX_VALUE))),
                "more than one Java array can hold");
        long before = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        fails(
                write(dir, "claims.gz", gzip(idxImages(2, 28, 28, 2_000_000))),
                "header claims 2000000 images of 28x28",
                "ends after");
        fails(
                write(dir, "claims", idxImages(2, 28, 28, 2_000_000)),
                "header claims 2000000 images",
                "holds only 1568");
        long after = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        assertTrue(after - before < 500L << 20, "no allocation near the claimed 1.5 GB");
        fails(write(dir, "neg", idxImages(0, 28, 28, -5)), "invalid image header");
    }

    @Test
    void trailingDataIsRejected() throws Exception {
        byte[] raw = idxImages(2, 2, 2, 2);
        fails(
                write(dir, "extra", Arrays.copyOf(raw, raw.length + 3)),
                "3 bytes of unexpected data");
    }

    @Test
    void labelsAreCheckedForRangeAndCount() throws Exception {
        Path lab = write(dir, "l-idx1-ubyte", idxLabels(new int[] {0, 9, 3}));
        assertArrayEquals(new int[] {0, 9, 3}, IdxFormat.readLabels(lab, 10));
        DatasetException e =
                assertThrows(DatasetException.class, () -> IdxFormat.readLabels(lab, 5));
        assertTrue(e.getMessage().contains("label 9 at index 1 is outside [0, 5)"), e.getMessage());
        Path img = write(dir, "i-idx3-ubyte", idxImages(4, 2, 2, 4));
        e =
                assertThrows(
                        DatasetException.class,
                        () -> IdxFormat.load("x", img, lab, KnownDatasets.MNIST));
        assertTrue(
                e.getMessage().contains("3 labels, but i-idx3-ubyte holds 4 images"),
                e.getMessage());
        ByteBuffer trunc = ByteBuffer.allocate(8 + 2).putInt(0x801).putInt(5);
        e =
                assertThrows(
                        DatasetException.class,
                        () -> IdxFormat.readLabels(write(dir, "lt", trunc.array()), 10));
        assertTrue(e.getMessage().contains("header claims 5 labels"), e.getMessage());
    }

    @Test
    void missingFilesNameTheFile() {
        Path p = dir.resolve("nope-idx3-ubyte.gz");
        fails(p, "file not found");
        DatasetException e =
                assertThrows(
                        DatasetException.class,
                        () ->
                                IdxFormat.loadDir(
                                        dir, "Fashion-MNIST", KnownDatasets.FASHION_MNIST, "test"));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte"), e.getMessage());
    }

    @Test
    void loadsADirectoryOfOfficialNames() throws Exception {
        DataFiles.idxDir(dir, 30, 20);
        Splits s = IdxFormat.loadDir(dir, "Fashion-MNIST", KnownDatasets.FASHION_MNIST, "test");
        assertEquals(30, s.train().size());
        assertEquals(20, s.test().size());
        assertEquals("Ankle boot", s.train().classNames().get(9));
        assertArrayEquals(labels(20, 10), s.test().labels());
    }
}
