package org.cladec.engine.kernels;

/**
 * The kernels every op calls, chosen once per process.
 *
 * <p>{@code -Dengine.kernels=scalar} forces the reference kernels; {@code simd} asks for the Vector
 * API kernels; the default, {@code auto}, takes SIMD kernels when an implementation is present and
 * the module {@code jdk.incubator.vector} is readable (the JVM was started with {@code
 * --add-modules jdk.incubator.vector}), and otherwise falls back to scalar with one warning.
 */
public final class Kernels {
    private static final System.Logger LOG = System.getLogger(Kernels.class.getName());
    private static final String SIMD_CLASS = "org.cladec.engine.kernels.simd.SimdKernels";
    private static final KernelSet ACTIVE = choose();

    private Kernels() {}

    private static KernelSet choose() {
        String mode = System.getProperty("engine.kernels", "auto");
        if (mode.equals("scalar")) {
            LOG.log(
                    System.Logger.Level.DEBUG,
                    "engine kernels: scalar (forced by -Dengine.kernels=scalar)");
            return KernelSet.scalar();
        }
        if (!mode.equals("auto") && !mode.equals("simd")) {
            throw new IllegalArgumentException(
                    "-Dengine.kernels: expected scalar, simd or auto, but got '" + mode + "'");
        }
        KernelSet simd = trySimd();
        if (simd != null) {
            LOG.log(System.Logger.Level.DEBUG, "engine kernels: " + simd.name());
            return simd;
        }
        if (mode.equals("simd")) {
            throw new IllegalStateException(
                    "-Dengine.kernels=simd, but the Vector API kernels are unavailable: "
                            + whySimdUnavailable());
        }
        LOG.log(
                System.Logger.Level.WARNING,
                "engine kernels: falling back to scalar: " + whySimdUnavailable());
        return KernelSet.scalar();
    }

    /** True when the JVM can use the incubating Vector API. */
    public static boolean vectorApiReadable() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** Why the last {@link #trySimd} found no SIMD kernels, if it failed to load them. */
    private static volatile String simdFailure;

    private static String whySimdUnavailable() {
        if (!vectorApiReadable()) {
            return "the module jdk.incubator.vector is not readable; start java with --add-modules jdk.incubator.vector";
        }
        String failure = simdFailure;
        if (failure != null) return "the SIMD kernels failed to load: " + failure;
        return "no SIMD kernel implementation (" + SIMD_CLASS + ") is on the class path";
    }

    /**
     * The SIMD kernel set, or null when the Vector API or the implementation is missing or fails to
     * load. A setting of the SIMD kernels that is wrong ({@code -Dengine.simd.bits=100}) is thrown,
     * as the IllegalArgumentException that names it: a run the user asked to configure must not
     * quietly run on other kernels.
     */
    public static KernelSet trySimd() {
        if (!vectorApiReadable()) return null;
        try {
            Class<?> c = Class.forName(SIMD_CLASS);
            return (KernelSet) c.getMethod("create").invoke(null);
        } catch (ClassNotFoundException e) {
            return null;
        } catch (ReflectiveOperationException | LinkageError e) {
            Throwable cause = e; // through InvocationTargetException, ExceptionInInitializerError
            while (cause.getCause() != null
                    && (cause instanceof ReflectiveOperationException
                            || cause instanceof LinkageError)) cause = cause.getCause();
            if (cause instanceof IllegalArgumentException bad) throw bad;
            simdFailure = cause.toString();
            return null;
        }
    }

    /** The active kernel set. */
    public static KernelSet active() {
        return ACTIVE;
    }

    /** The active convolution kernels. */
    public static ConvKernels conv() {
        return ACTIVE.conv();
    }

    /** The active GEMM kernels. */
    public static GemmKernels gemm() {
        return ACTIVE.gemm();
    }

    /** The active element-wise kernels. */
    public static ElementwiseKernels ew() {
        return ACTIVE.ew();
    }

    /** The active batch-norm kernels. */
    public static NormKernels norm() {
        return ACTIVE.norm();
    }

    /** The active pooling kernels. */
    public static PoolKernels pool() {
        return ACTIVE.pool();
    }

    /** The active loss kernels. */
    public static LossKernels loss() {
        return ACTIVE.loss();
    }

    /** The active optimizer kernels. */
    public static OptimKernels optim() {
        return ACTIVE.optim();
    }
}
