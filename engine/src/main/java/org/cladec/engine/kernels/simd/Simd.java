package org.cladec.engine.kernels.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one float species every SIMD kernel uses, fixed at class-load time so C2 can intrinsify: the
 * platform's preferred width, or the width forced with {@code -Dengine.simd.bits=128|256|512}
 * (tests run every width on any host; widths the CPU lacks run correctly, just slowly).
 */
public final class Simd {
    private Simd() {}

    /** The species of all SIMD kernels. */
    public static final VectorSpecies<Float> F = choose();

    /** Lanes per vector. */
    public static final int L = F.length();

    /**
     * Elements per call of a kernel's block method, a multiple of every lane count. Float partial
     * sums over such blocks are accumulated in double (long sums stay accurate), and a kernel
     * called once per step compiles (C2) within the first steps only if its loop is a method called
     * per block: see {@code Parallel.BLOCK}.
     */
    static final int BLOCK = 4096;

    private static VectorSpecies<Float> choose() {
        String bits = System.getProperty("engine.simd.bits");
        if (bits == null || bits.isBlank()) return FloatVector.SPECIES_PREFERRED;
        return switch (bits.trim()) {
            case "64" -> FloatVector.SPECIES_64;
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default ->
                    throw new IllegalArgumentException(
                            "-Dengine.simd.bits: expected 64, 128, 256 or 512, but got '"
                                    + bits
                                    + "'");
        };
    }

    /**
     * The sum of the lanes of {@code v}, added in lane order. NOTE: not {@code reduceLanes(ADD)},
     * whose order differs between the JIT's intrinsic (a tree) and the interpreter's fallback (a
     * loop), so a result would depend on whether the method was compiled yet; checkpoints resumed
     * in a fresh JVM must reproduce an uninterrupted run bit for bit.
     */
    public static float sumLanes(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < L; i++) s += v.lane(i);
        return s;
    }

    /** e.g. "simd-256" for 8-lane vectors. */
    public static String describe() {
        return "simd-"
                + F.vectorBitSize()
                + (F.vectorShape() == VectorShape.preferredShape() ? "" : " (forced)");
    }
}
