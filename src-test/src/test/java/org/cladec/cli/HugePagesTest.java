package org.cladec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cladec bench}'s huge-pages line: the kernel's mode, the JVM's flag, and what to say. */
class HugePagesTest {
    @TempDir Path dir;

    @Test
    void readsTheKernelsSelectedMode() throws Exception {
        Path f = dir.resolve("enabled");
        Files.writeString(f, "always [madvise] never\n");
        assertEquals("madvise", HugePages.kernelMode(f));
        Files.writeString(f, "[always] madvise never\n");
        assertEquals("always", HugePages.kernelMode(f));
        Files.writeString(f, "always madvise never\n"); // no selection
        assertNull(HugePages.kernelMode(f));
        Files.writeString(f, "[]");
        assertNull(HugePages.kernelMode(f));
        assertNull(HugePages.kernelMode(dir.resolve("missing")));
    }

    @Test
    void saysWhetherTheHeapIsOnHugePagesAndHowToTurnThemOn() {
        assertEquals("on (kernel: always)", HugePages.describe("always", false));
        assertEquals("on", HugePages.describe("madvise", true));
        assertEquals(
                "off (-XX:+UseTransparentHugePages turns them on)",
                HugePages.describe("madvise", false));
        assertEquals(
                "off (-XX:+UseTransparentHugePages turns them on)",
                HugePages.describe("madvise", null));
        assertEquals("off (kernel: never)", HugePages.describe("never", true));
        assertEquals("unknown", HugePages.describe(null, true));
    }

    @Test
    void thisJvmsFlagIsReadWhereTheJvmHasIt() {
        Boolean flag = HugePages.jvmFlag();
        // HotSpot on Linux has the flag (off unless set); elsewhere null, never an exception
        if (flag != null) assertEquals(Boolean.getBoolean("hugePagesExpected"), flag);
    }
}
