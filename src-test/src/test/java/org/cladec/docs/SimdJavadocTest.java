package org.cladec.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build's javadoc run leaves out the Vector API package, because on JDK 17 javadoc always warns
 * "using incubating module(s)" when it reads it. This runs the same doclint checks on that package
 * and accepts that one notice and nothing else.
 */
class SimdJavadocTest {
    @TempDir Path out;

    @Test
    void simdKernelsDocumentWithoutWarnings() {
        Path src = TourSnippetsTest.ROOT.resolve("engine/src/main/java");
        StringWriter w = new StringWriter();
        int code =
                ToolProvider.findFirst("javadoc")
                        .orElseThrow()
                        .run(
                                new PrintWriter(w),
                                new PrintWriter(w),
                                "-quiet",
                                "--add-modules",
                                "jdk.incubator.vector",
                                "-Xdoclint:all,-missing",
                                "-d",
                                out.toString(),
                                "-sourcepath",
                                src.toString(),
                                "org.cladec.engine.kernels.simd");
        List<String> warnings = new ArrayList<>();
        for (String line : w.toString().split("\n")) {
            if ((line.contains("warning") || line.contains("error"))
                    && !line.contains("using incubating module(s)")
                    && !line.matches("\\d+ warnings?")) {
                warnings.add(line);
            }
        }
        assertEquals(0, code, w.toString());
        assertTrue(warnings.isEmpty(), String.join("\n", warnings));
        assertTrue(
                Files.isRegularFile(out.resolve("org/cladec/engine/kernels/simd/Gemm.html"))
                        || Files.isRegularFile(out.resolve("index.html")));
    }
}
