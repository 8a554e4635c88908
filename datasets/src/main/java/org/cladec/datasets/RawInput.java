package org.cladec.datasets;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Opens a dataset file, transparently un-gzipping it (detected by the gzip magic bytes, not the
 * name), and reads exact byte counts with errors that name the file. Payloads are read in growing
 * chunks, so a header that claims far more data than the file holds fails at the real end of the
 * data instead of allocating what the header claims.
 */
final class RawInput implements AutoCloseable {
    private static final int FIRST_CHUNK = 1 << 20;

    private final Path file;
    private final InputStream in;
    private final boolean gzip;
    private final long fileLength;
    private long consumed; // uncompressed bytes read so far

    private RawInput(Path file, InputStream in, boolean gzip, long fileLength) {
        this.file = file;
        this.in = in;
        this.gzip = gzip;
        this.fileLength = fileLength;
    }

    /**
     * Wraps an already open stream (e.g. a class-path resource) named {@code name} in messages;
     * {@code length} is its size in bytes, or -1 when unknown.
     */
    static RawInput open(Path name, InputStream stream, long length) throws DatasetException {
        BufferedInputStream raw = new BufferedInputStream(stream, 1 << 16);
        try {
            raw.mark(2);
            int b0 = raw.read(), b1 = raw.read();
            raw.reset();
            boolean gz = b0 == 0x1f && b1 == 0x8b;
            InputStream in =
                    gz ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
            return new RawInput(name, in, gz, length < 0 ? Long.MAX_VALUE : length);
        } catch (IOException e) {
            try {
                raw.close();
            } catch (IOException ignored) {
                // reporting the first failure matters more
            }
            throw new DatasetException(name, "corrupt gzip header: " + e.getMessage(), e);
        }
    }

    static RawInput open(Path file) throws DatasetException {
        try {
            if (!Files.isRegularFile(file)) {
                throw new DatasetException(
                        file, Files.exists(file) ? "not a regular file" : "file not found");
            }
            return open(file, Files.newInputStream(file), Files.size(file));
        } catch (NoSuchFileException e) {
            throw new DatasetException(file, "file not found", e);
        } catch (DatasetException e) {
            throw e;
        } catch (IOException e) {
            throw new DatasetException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    Path file() {
        return file;
    }

    boolean isGzip() {
        return gzip;
    }

    /** On-disk size (compressed size for gzip files). */
    long fileLength() {
        return fileLength;
    }

    /** Reads exactly {@code n} bytes, which the caller knows to be small (headers). */
    byte[] readSmall(int n, String what) throws DatasetException {
        byte[] b = new byte[n];
        int got = fill(b, 0, n);
        if (got < n)
            throw new DatasetException(
                    file,
                    "truncated "
                            + what
                            + ": expected "
                            + n
                            + " bytes but the data ends after "
                            + got);
        return b;
    }

    /**
     * Reads exactly {@code n} payload bytes. {@code what} describes them for the error message,
     * e.g. "header claims 60000 images of 28x28".
     */
    byte[] readPayload(long n, String what) throws DatasetException {
        if (n > Integer.MAX_VALUE - 16) {
            throw new DatasetException(
                    file, what + " (" + n + " bytes), more than one Java array can hold");
        }
        int total = (int) n;
        if (!gzip && fileLength - consumed < total) {
            throw new DatasetException(
                    file,
                    what
                            + " ("
                            + total
                            + " bytes) but the file holds only "
                            + (fileLength - consumed)
                            + " after the header");
        }
        byte[] buf = new byte[Math.min(total, gzip ? FIRST_CHUNK : total)];
        int got = 0;
        while (got < total) {
            if (got == buf.length) buf = Arrays.copyOf(buf, (int) Math.min(total, 2L * buf.length));
            int r = fill(buf, got, buf.length - got);
            got += r;
            if (got < buf.length)
                throw new DatasetException(
                        file, what + " (" + total + " bytes) but the data ends after " + got);
        }
        return buf;
    }

    /**
     * Reads everything that is left (growing the buffer as data arrives), failing beyond {@code
     * max} bytes.
     */
    byte[] readToEnd(long max, String what) throws DatasetException {
        byte[] buf =
                new byte
                        [gzip
                                ? FIRST_CHUNK
                                : (int)
                                        Math.min(
                                                Math.max(fileLength - consumed, 0),
                                                Integer.MAX_VALUE - 16)];
        int got = 0;
        while (true) {
            if (got == buf.length) {
                if (buf.length >= max || buf.length >= Integer.MAX_VALUE - 16) {
                    throw new DatasetException(
                            file,
                            what + " exceeds " + Math.min(max, Integer.MAX_VALUE - 16) + " bytes");
                }
                buf =
                        Arrays.copyOf(
                                buf,
                                (int)
                                        Math.min(
                                                Math.min(max, Integer.MAX_VALUE - 16),
                                                Math.max(2L * buf.length, 1024)));
            }
            int r = fill(buf, got, buf.length - got);
            got += r;
            if (got < buf.length) return Arrays.copyOf(buf, got);
        }
    }

    /** Fails if anything follows the expected data (and, for gzip, verifies the CRC trailer). */
    void expectEnd(String what) throws DatasetException {
        try {
            long extra = 0;
            byte[] skip = new byte[8192];
            int r;
            while ((r = in.read(skip)) > 0) {
                extra += r;
                if (extra > (1 << 20)) break;
            }
            if (extra > 0)
                throw new DatasetException(
                        file,
                        (extra > (1 << 20) ? "more than 1 MiB" : extra + " bytes")
                                + " of unexpected data after "
                                + what);
        } catch (DatasetException e) {
            throw e;
        } catch (ZipException | EOFException e) {
            throw new DatasetException(
                    file, "truncated or corrupt gzip data: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new DatasetException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    private int fill(byte[] b, int off, int len) throws DatasetException {
        int got = 0;
        try {
            while (got < len) {
                int r = in.read(b, off + got, len - got);
                if (r < 0) break;
                got += r;
            }
        } catch (ZipException | EOFException e) {
            throw new DatasetException(
                    file, "truncated or corrupt gzip data: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new DatasetException(file, "cannot read: " + e.getMessage(), e);
        }
        consumed += got;
        return got;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing was written; a failed close of a read-only stream loses nothing
        }
    }

    /** Big-endian int at {@code off}. */
    static int intAt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24)
                | ((b[off + 1] & 0xFF) << 16)
                | ((b[off + 2] & 0xFF) << 8)
                | (b[off + 3] & 0xFF);
    }
}
