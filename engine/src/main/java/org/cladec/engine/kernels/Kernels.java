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
        String why;
        try {
            KernelSet simd = loadSimd();
            LOG.log(System.Logger.Level.DEBUG, "engine kernels: " + simd.name());
            return simd;
        } catch (Unavailable e) {
            why = e.getMessage();
        }
        if (mode.equals("simd")) {
            throw new IllegalStateException(
                    "-Dengine.kernels=simd, but the Vector API kernels are unavailable: " + why);
        }
        LOG.log(System.Logger.Level.WARNING, "engine kernels: falling back to scalar: " + why);
        return KernelSet.scalar();
    }

    /** True when the JVM can use the incubating Vector API. */
    public static boolean vectorApiReadable() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /**
     * The SIMD kernel set, or null when the Vector API or the implementation is missing or fails to
     * load.
     */
    public static KernelSet trySimd() {
        try {
            return loadSimd();
        } catch (Unavailable e) {
            return null;
        }
    }

    /** Why there are no SIMD kernels in this JVM. */
    private static final class Unavailable extends Exception {
        Unavailable(String why) {
            super(why, null, false, false);
        }
    }

    /**
     * The SIMD kernel set. A setting of the SIMD kernels that is wrong ({@code
     * -Dengine.simd.bits=100}) is thrown, as the IllegalArgumentException that names it: a run the
     * user asked to configure must not quietly run on other kernels.
     *
     * @throws Unavailable saying why there is none
     */
    private static KernelSet loadSimd() throws Unavailable {
        if (!vectorApiReadable()) {
            throw new Unavailable(
                    "the module jdk.incubator.vector is not readable; start java with --add-modules jdk.incubator.vector");
        }
        try {
            Class<?> c = Class.forName(SIMD_CLASS);
            return (KernelSet) c.getMethod("create").invoke(null);
        } catch (ClassNotFoundException e) {
            throw new Unavailable(
                    "no SIMD kernel implementation (" + SIMD_CLASS + ") is on the class path");
        } catch (ReflectiveOperationException | LinkageError e) {
            Throwable cause = e; // through InvocationTargetException, ExceptionInInitializerError
            while (cause.getCause() != null
                    && (cause instanceof ReflectiveOperationException
                            || cause instanceof LinkageError)) cause = cause.getCause();
            if (cause instanceof IllegalArgumentException bad) throw bad;
            throw new Unavailable("the SIMD kernels failed to load: " + cause);
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
