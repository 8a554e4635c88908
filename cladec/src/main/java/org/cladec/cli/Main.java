package org.cladec.cli;

import java.io.IOException;
import java.io.PrintWriter;
import org.cladec.datasets.DatasetException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code cladec} command line. Run as {@code java --add-modules jdk.incubator.vector -jar
 * cladec/target/cladec.jar COMMAND [OPTIONS]}.
 *
 * <p>Exit codes: 0 success; 1 a run failed (bad or missing data or model files, I/O errors,
 * training that diverged); 2 a usage error (unknown option or layer, a value out of range).
 */
@Command(
        name = "cladec",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description =
                "Explain what a layer of a CNN keeps by decoding its activations (ClaDec), against a reference autoencoder.",
        subcommands = {
            DemoCommand.class,
            DataCommand.class,
            TrainCommand.class,
            ExplainCommand.class,
            EvaluateCommand.class,
            PaperCommand.class,
            BenchCommand.class,
            ClassifyCommand.class,
            ReportCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    /** Builds the command line with the project's error handling. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> report(ex, cmd.getErr()));
        return cl;
    }

    /**
     * Prints a command's failure and returns its exit code: 2 for bad input (an
     * IllegalArgumentException names what and where), 1 for a failure of the data, the files or the
     * run's state, with a stack trace only for anything else.
     */
    static int report(Throwable ex, PrintWriter err) {
        if (ex instanceof IllegalArgumentException) {
            err.println("error: " + ex.getMessage());
            return 2;
        }
        if (ex instanceof DatasetException
                || ex instanceof IOException
                || ex instanceof IllegalStateException) {
            err.println("error: " + ex.getMessage());
            return 1;
        }
        err.println("error: " + ex);
        ex.printStackTrace(err);
        return 1;
    }

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%n");
        }
        int code;
        try {
            code = commandLine().execute(args);
        } catch (ExceptionInInitializerError e) {
            // a class that reads a setting when it loads (-Dengine.kernels, -Dengine.simd.bits)
            // and found it wrong; picocli hands errors on instead of to the handler above
            PrintWriter err = new PrintWriter(System.err, true);
            code = report(e.getCause() == null ? e : e.getCause(), err);
        }
        System.exit(code);
    }

    /** The version from the jar manifest, if any. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {
                "cladec "
                        + (v == null ? "(development build)" : v)
                        + ", Java "
                        + System.getProperty("java.version")
            };
        }
    }
}
