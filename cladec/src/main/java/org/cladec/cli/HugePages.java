package org.cladec.cli;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this JVM's heap sits on transparent huge pages, for {@code cladec bench}'s header.
 *
 * <p>Why it is worth a line: on this project's 2-vCPU Linux VMs (kernel setting {@code madvise}, so
 * the JVM gets huge pages only with {@code -XX:+UseTransparentHugePages}), the classifier's
 * training scaled from one thread to two by a median 1.68 on 4 KB pages and 1.76 on 2 MB pages, in
 * eight pairs of runs alternated (docs/performance.md).
 */
final class HugePages {
    /** The kernel's setting; its selected mode is the bracketed word, e.g. {@code [madvise]}. */
    static final Path KERNEL_SETTING = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");

    private HugePages() {}

    /** "on", or "off" with why, or "unknown" where the kernel does not say (not Linux). */
    static String describe() {
        return describe(kernelMode(KERNEL_SETTING), jvmFlag());
    }

    /**
     * @param kernelMode the kernel's selected mode ({@code always}, {@code madvise}, {@code
     *     never}), or null when unknown
     * @param flag this JVM's {@code UseTransparentHugePages}, or null when it has none
     */
    static String describe(String kernelMode, Boolean flag) {
        if (kernelMode == null) return "unknown";
        switch (kernelMode) {
            case "always":
                return "on (kernel: always)";
            case "madvise":
                return Boolean.TRUE.equals(flag)
                        ? "on"
                        : "off (-XX:+UseTransparentHugePages turns them on)";
            default:
                return "off (kernel: " + kernelMode + ")";
        }
    }

    /** The bracketed word of the kernel's setting in {@code file}, or null if unreadable. */
    static String kernelMode(Path file) {
        try {
            String s = Files.readString(file);
            int open = s.indexOf('['), close = s.indexOf(']', open + 1);
            return open >= 0 && close > open + 1 ? s.substring(open + 1, close) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** This JVM's {@code -XX:UseTransparentHugePages}, or null where the JVM has no such flag. */
    static Boolean jvmFlag() {
        try {
            HotSpotDiagnosticMXBean vm =
                    ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return vm == null
                    ? null
                    : Boolean.valueOf(vm.getVMOption("UseTransparentHugePages").getValue());
        } catch (RuntimeException e) { // IllegalArgumentException: not a flag of this JVM
            return null;
        }
    }
}
