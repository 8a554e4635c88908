package org.cladec.bench;

import java.util.Collection;
import java.util.Locale;
import org.cladec.engine.kernels.ConvGeom;
import org.cladec.engine.kernels.simd.Peak;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs JMH and then reports what the raw times mean: GFLOP/s of every kernel (medians), the
 * scalar/SIMD ratio of each pair, each kernel as a fraction of the measured micro-kernel peak, and
 * images/second for full steps. Arguments are JMH's (e.g. a benchmark regex, {@code -f 1}, {@code
 * -prof gc}); with none it runs everything.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar 'ConvBench|GemmBench.peak'
 * </pre>
 */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        CommandLineOptions cli = new CommandLineOptions(args);
        ChainedOptionsBuilder b = new OptionsBuilder().parent(cli);
        if (cli.getIncludes().isEmpty()) b.include("org.cladec.bench.*");
        Collection<RunResult> results = new Runner(b.build()).run();
        report(results);
    }

    private static double medianMs(RunResult r) {
        return r.getPrimaryResult().getStatistics().getPercentile(50);
    }

    static void report(Collection<RunResult> results) {
        double peak = Double.NaN;
        for (RunResult r : results) {
            if (r.getParams().getBenchmark().endsWith(".peak")) {
                peak =
                        2.0
                                * Peak.MR
                                * Peak.NR
                                * GemmBench.PEAK_KC
                                * GemmBench.PEAK_REPS
                                / (medianMs(r) / 1e3)
                                / 1e9;
            }
        }
        System.out.printf(
                Locale.ROOT,
                "%n== medians ==%nmicro-kernel peak: %.1f GFLOP/s (one thread)%n",
                peak);
        System.out.printf(
                Locale.ROOT,
                "%-28s %-22s %10s %10s %8s%n",
                "shape",
                "kernel",
                "ms",
                "GFLOP/s",
                "of peak");
        for (RunResult r : results) {
            String bench = r.getParams().getBenchmark();
            String name = bench.substring(bench.lastIndexOf('.') + 1);
            double ms = medianMs(r);
            if (bench.contains("ConvBench")) {
                String geom = r.getParams().getParam("geom");
                ConvGeom g = Geometries.parse(geom);
                double gf = g.flops() / (ms / 1e3) / 1e9;
                System.out.printf(
                        Locale.ROOT,
                        "%-28s %-22s %10.3f %10.1f %7.0f%%%n",
                        geom,
                        name,
                        ms,
                        gf,
                        100 * gf / peak);
            } else if (bench.contains("GemmBench") && !name.equals("peak")) {
                String[] d = r.getParams().getParam("shape").split("x");
                double flops =
                        2.0 * Long.parseLong(d[0]) * Long.parseLong(d[1]) * Long.parseLong(d[2]);
                double gf = flops / (ms / 1e3) / 1e9;
                System.out.printf(
                        Locale.ROOT,
                        "%-28s %-22s %10.3f %10.1f %7.0f%%%n",
                        r.getParams().getParam("shape"),
                        name,
                        ms,
                        gf,
                        100 * gf / peak);
            } else if (bench.contains("StepBench")) {
                int batch = Integer.parseInt(r.getParams().getParam("batch"));
                System.out.printf(
                        Locale.ROOT,
                        "%-28s %-22s %10.3f %10s  %.1f img/s%n",
                        r.getParams().getParam("workload"),
                        "step",
                        ms,
                        "",
                        batch / (ms / 1e3));
            }
        }
        System.out.printf(Locale.ROOT, "%n== SIMD speed-up over scalar (same run) ==%n");
        for (RunResult r : results) {
            String bench = r.getParams().getBenchmark();
            if (!bench.endsWith("Simd")) continue;
            String scalarName = bench.substring(0, bench.length() - 4) + "Scalar";
            for (RunResult s : results) {
                if (s.getParams().getBenchmark().equals(scalarName)
                        && s.getParams().getParamsKeys().equals(r.getParams().getParamsKeys())
                        && sameParams(s, r)) {
                    String p =
                            r.getParams().getParam(r.getParams().getParamsKeys().iterator().next());
                    System.out.printf(
                            Locale.ROOT,
                            "%-28s %-22s %8.1fx%n",
                            p,
                            bench.substring(bench.lastIndexOf('.') + 1),
                            medianMs(s) / medianMs(r));
                }
            }
        }
    }

    private static boolean sameParams(RunResult a, RunResult b) {
        for (String k : a.getParams().getParamsKeys())
            if (!a.getParams().getParam(k).equals(b.getParams().getParam(k))) return false;
        return true;
    }
}
