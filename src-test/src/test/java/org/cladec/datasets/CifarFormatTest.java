package org.cladec.datasets;

import static org.cladec.datasets.DataFiles.cifar;
import static org.cladec.datasets.DataFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarFormatTest {
    @TempDir Path dir;

    @Test
    void cifar10FromItsBinaryBatches() throws Exception {
        Path d = dir.resolve("cifar-10-batches-bin");
        for (int b = 1; b <= 5; b++) write(d, "data_batch_" + b + ".bin", cifar(3, 1, 10));
        write(d, "test_batch.bin", cifar(4, 1, 10));
        Splits s =
                DataSource.loadDir(
                        dir, DataSource.Kind.AUTO, DataSource.FolderOptions.DEFAULT, "test");
        assertEquals(15, s.train().size());
        assertEquals(4, s.test().size());
        assertEquals(3, s.train().channels());
        assertEquals(32, s.train().height());
        assertEquals("truck", s.train().classNames().get(9));
        assertEquals(2, s.test().label(2));
        // CHW order: red plane first, then green (+80), then blue (+160)
        assertEquals(1, s.test().pixel(1, 0));
        assertEquals(81, s.test().pixel(1, 1024));
        assertEquals(161, s.test().pixel(1, 2048));
    }

    @Test
    void cifar100FineAndCoarse() throws Exception {
        write(dir, "train.bin", cifar(6, 2, 20, 100));
        write(dir, "test.bin", cifar(2, 2, 20, 100));
        write(
                dir,
                "coarse_label_names.txt",
                String.join("\n", KnownDatasets.generic(20))
                        .replace("class", "super")
                        .getBytes(StandardCharsets.UTF_8));
        Splits fine =
                DataSource.loadDir(
                        dir, DataSource.Kind.CIFAR100, DataSource.FolderOptions.DEFAULT, "t");
        Splits coarse =
                DataSource.loadDir(
                        dir,
                        DataSource.Kind.CIFAR100_COARSE,
                        DataSource.FolderOptions.DEFAULT,
                        "t");
        assertEquals(100, fine.train().numClasses());
        assertEquals(20, coarse.train().numClasses());
        assertEquals("super 3", coarse.train().classNames().get(3));
        assertEquals(4, fine.train().label(3)); // fine label byte = (i + 1) % 100
        assertEquals(3, coarse.train().label(3));
    }

    @Test
    void badCifarFilesFailNamingTheFile() throws Exception {
        Path f = write(dir, "data_batch_1.bin", Arrays.copyOf(cifar(2, 1, 10), 3073 * 2 - 5));
        DatasetException e =
                assertThrows(
                        DatasetException.class,
                        () -> CifarFormat.readFile(f, "x", 1, 0, KnownDatasets.CIFAR10));
        assertTrue(
                e.getMessage().startsWith(f.toString())
                        && e.getMessage().contains("not a whole number of 3073-byte records"),
                e.getMessage());
        byte[] bad = cifar(2, 1, 10);
        bad[3073] = 12;
        Path g = write(dir, "bad.bin", bad);
        e =
                assertThrows(
                        DatasetException.class,
                        () -> CifarFormat.readFile(g, "x", 1, 0, KnownDatasets.CIFAR10));
        assertTrue(
                e.getMessage().contains("label 12 of record 1 is outside [0, 10)"), e.getMessage());
        Path empty = write(dir, "empty.bin", new byte[0]);
        assertThrows(
                DatasetException.class,
                () -> CifarFormat.readFile(empty, "x", 1, 0, KnownDatasets.CIFAR10));
        Path names = write(dir, "batches.meta.txt", "a\nb\n".getBytes(StandardCharsets.UTF_8));
        e =
                assertThrows(
                        DatasetException.class,
                        () -> CifarFormat.names(names, KnownDatasets.CIFAR10));
        assertTrue(e.getMessage().contains("2 class names, expected 10"), e.getMessage());
    }
}
