package org.cladec.datasets;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small synthetic dataset files for the reader tests. */
final class DataFiles {
    private DataFiles() {}

    static byte[] idxImages(int n, int rows, int cols, int claimedN) {
        ByteBuffer b = ByteBuffer.allocate(16 + n * rows * cols);
        b.putInt(0x00000803).putInt(claimedN).putInt(rows).putInt(cols);
        for (int i = 0; i < n * rows * cols; i++)
            b.put((byte) ((i * 7 + i / (rows * cols)) & 0xFF));
        return b.array();
    }

    static byte[] idxLabels(int[] labels) {
        ByteBuffer b = ByteBuffer.allocate(8 + labels.length);
        b.putInt(0x00000801).putInt(labels.length);
        for (int l : labels) b.put((byte) l);
        return b.array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(bo)) {
            o.write(raw);
        }
        return bo.toByteArray();
    }

    static Path write(Path dir, String name, byte[] content) throws IOException {
        Files.createDirectories(dir);
        return Files.write(dir.resolve(name), content);
    }

    static int[] labels(int n, int k) {
        int[] l = new int[n];
        for (int i = 0; i < n; i++) l[i] = i % k;
        return l;
    }

    /** The four official IDX files with {@code nTrain}/{@code nTest} 28x28 images, gzipped. */
    static void idxDir(Path dir, int nTrain, int nTest) throws IOException {
        write(dir, "train-images-idx3-ubyte.gz", gzip(idxImages(nTrain, 28, 28, nTrain)));
        write(dir, "train-labels-idx1-ubyte.gz", gzip(idxLabels(labels(nTrain, 10))));
        write(dir, "t10k-images-idx3-ubyte.gz", gzip(idxImages(nTest, 28, 28, nTest)));
        write(dir, "t10k-labels-idx1-ubyte.gz", gzip(idxLabels(labels(nTest, 10))));
    }

    /** CIFAR records: {@code labelBytes} label bytes, then 3072 pixels. */
    static byte[] cifar(int n, int labelBytes, int... labelsPerByte) {
        int rec = labelBytes + 3072;
        byte[] b = new byte[n * rec];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < labelBytes; j++)
                b[i * rec + j] = (byte) ((i + j) % labelsPerByte[j]);
            for (int p = 0; p < 3072; p++) b[i * rec + labelBytes + p] = (byte) (p / 1024 * 80 + i);
        }
        return b;
    }
}
