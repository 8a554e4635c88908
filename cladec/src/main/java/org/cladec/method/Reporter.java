package org.cladec.method;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.cladec.io.AtomicFiles;

/**
 * Where a run reports: log lines (to the console and kept for the run's {@code log.txt}) and
 * progress bars with rate, ETA and a running loss. On a terminal the bar redraws in place;
 * otherwise (CI, a redirected stream) it prints a line every few seconds. A silent reporter serves
 * tests and embedding.
 */
public final class Reporter {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final PrintWriter out;
    private final boolean bars;
    private final StringBuilder log = new StringBuilder();
    private Path logFile;

    private Reporter(PrintWriter out, boolean bars) {
        this.out = out;
        this.bars = bars;
    }

    /** Reports to standard output, with progress bars. */
    public static Reporter console() {
        return new Reporter(new PrintWriter(System.out, true), true);
    }

    /** Reports to {@code out} (e.g. a command line's output), with progress bars. */
    public static Reporter console(PrintWriter out) {
        return new Reporter(out, true);
    }

    /** Keeps the log but prints nothing and shows no bars. */
    public static Reporter silent() {
        return new Reporter(null, false);
    }

    /**
     * From now on, {@link #flush()} (and every log line) rewrites {@code file} atomically with the
     * whole log.
     */
    public void logTo(Path file) {
        this.logFile = file;
        flush();
    }

    /**
     * Like {@link #logTo}, but keeps what {@code file} already holds in front of this reporter's
     * lines: a resumed run continues its log instead of replacing it.
     */
    public synchronized void continueLog(Path file) throws IOException {
        if (Files.isRegularFile(file)) {
            String earlier = Files.readString(file);
            if (!earlier.isEmpty() && !earlier.endsWith("\n")) earlier += "\n";
            log.insert(0, earlier);
        }
        logTo(file);
    }

    /** Prints and records a line. */
    public synchronized void log(String line) {
        String stamped = LocalTime.now().truncatedTo(ChronoUnit.SECONDS).format(TIME) + "  " + line;
        log.append(stamped).append('\n');
        if (out != null) {
            out.println(line);
            out.flush();
        }
        flush();
    }

    /** The log so far. */
    public synchronized String text() {
        return log.toString();
    }

    /** Writes the log file (atomically), if one is set. */
    public synchronized void flush() {
        if (logFile == null) return;
        try {
            AtomicFiles.writeString(logFile, log.toString());
        } catch (IOException e) {
            if (out != null)
                out.println("warning: cannot write " + logFile + ": " + e.getMessage());
        }
    }

    /** A progress bar over {@code total} units; {@link Progress#close()} ends it. */
    public Progress progress(String task, long total, String unit) {
        if (!bars || out == null) return new Progress(null);
        boolean tty = System.console() != null;
        ProgressBarBuilder b =
                new ProgressBarBuilder()
                        .setTaskName(task)
                        .setInitialMax(total)
                        .setStyle(ProgressBarStyle.ASCII)
                        .setUnit(" " + unit, 1)
                        .showSpeed()
                        .setSpeedUnit(ChronoUnit.SECONDS)
                        .setMaxRenderedLength(110);
        if (!tty) {
            b.setConsumer(new DelegatingProgressBarConsumer(out::println, 110))
                    .setUpdateIntervalMillis(10_000);
        }
        return new Progress(b.build());
    }

    /** A progress bar, or nothing. */
    public static final class Progress implements AutoCloseable {
        private final ProgressBar bar;

        Progress(ProgressBar bar) {
            this.bar = bar;
        }

        /** Advances by {@code n} units and shows {@code extra} (e.g. the running loss). */
        public void step(long n, String extra) {
            if (bar == null) return;
            bar.stepBy(n);
            if (extra != null) bar.setExtraMessage(" " + extra);
        }

        /** Time since the bar started. */
        public Duration elapsed() {
            return bar == null ? Duration.ZERO : bar.getTotalElapsed();
        }

        @Override
        public void close() {
            if (bar != null) bar.close();
        }
    }
}
