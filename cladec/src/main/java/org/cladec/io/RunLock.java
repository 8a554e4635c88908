package org.cladec.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a run folder, so that two runs never write one folder at once (two resumes
 * of the same run would otherwise overwrite each other's checkpoints, and one's start-up would
 * delete the other's temp files). An operating-system lock on {@code DIR/.lock}: the OS drops it
 * when the process ends, however it ends, so a killed run never leaves the folder locked. The empty
 * file itself stays.
 */
public final class RunLock implements AutoCloseable {
    /** Name of the lock file inside a run folder. */
    public static final String FILE = ".lock";

    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code dir} (creating it if needed).
     *
     * @throws IOException naming the folder when another run, in this process or another, holds it
     */
    public static RunLock acquire(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(FILE);
        FileChannel ch =
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) { // held by this process
            l = null;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (l == null) {
            ch.close();
            throw new IOException(
                    dir
                            + ": the run folder is in use by another cladec run ("
                            + file
                            + " is locked); wait for that run to end or stop it");
        }
        return new RunLock(ch, l);
    }

    /** Releases the lock. */
    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) lock.release();
        } finally {
            channel.close();
        }
    }
}
