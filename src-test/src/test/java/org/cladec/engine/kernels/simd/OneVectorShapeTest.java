package org.cladec.engine.kernels.simd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The engine's vector code uses one shape, {@code Simd.F}'s. A second float species (a half-width
 * load in the phase-plane merge) put two FloatVector shapes into the type profiles of the JDK's
 * shared vector methods, and on JDK 17 C2 then sometimes compiled other kernels with a vector
 * store's intrinsic failed, boxing a vector per iteration: the Adam update ran 10x slower in about
 * a third of the JVMs (docs/performance.md, twelfth session). No test of values can see that, so
 * this one reads the sources: outside {@code Simd}, species are made only with {@code
 * F.vectorShape()}, and vectors change shape only to such a species.
 */
class OneVectorShapeTest {
    private static final Path SOURCES =
            Path.of("..", "engine", "src", "main", "java").toAbsolutePath().normalize();

    /** Species of a fixed size, species of a given shape, and shape changes. */
    private static final Pattern SHAPED =
            Pattern.compile(
                    "SPECIES_(64|128|256|512|MAX|PREFERRED)"
                            + "|VectorSpecies\\.of\\([^;]*?\\)\\)?"
                            + "|VectorShape\\."
                            + "|\\.(castShape|convertShape|reinterpretShape)\\([^;]*?\\)");

    /** A species declared with F's shape; group 1 is its name. */
    private static final Pattern OF_F =
            Pattern.compile("(\\w+)\\s*=\\s*VectorSpecies\\.of\\([^;]*?F\\.vectorShape\\(\\)\\)");

    /** The shape-bearing expressions of one source that do not keep F's shape. */
    static List<String> otherShapes(String src) {
        List<Pattern> ofF = new ArrayList<>();
        for (Matcher d = OF_F.matcher(src); d.find(); )
            ofF.add(Pattern.compile("\\b" + d.group(1) + "\\b"));
        List<String> found = new ArrayList<>();
        for (Matcher m = SHAPED.matcher(src); m.find(); ) {
            String use = m.group();
            boolean ok =
                    use.startsWith("VectorSpecies.of")
                            ? use.contains("F.vectorShape()") && !use.contains("VectorShape.")
                            : use.startsWith(".")
                                    && ofF.stream().anyMatch(n -> n.matcher(use).find());
            if (!ok) found.add(use);
        }
        return found;
    }

    @Test
    void everyVectorOutsideSimdHasItsShape() throws IOException {
        List<String> found = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(SOURCES)) {
            files = walk.filter(f -> f.toString().endsWith(".java")).collect(Collectors.toList());
        }
        assertTrue(files.size() > 50, "read the engine's sources at " + SOURCES);
        for (Path p : files) {
            if (p.getFileName().toString().equals("Simd.java")) continue;
            for (String use : otherShapes(Files.readString(p)))
                found.add(SOURCES.relativize(p) + ": " + use);
        }
        assertTrue(found.isEmpty(), "vectors of another shape than Simd.F's: " + found);
    }

    @Test
    void theCheckSeesAHalfWidthSpeciesAndAShapeChangeToIt() {
        String half =
                "static final VectorSpecies<Float> HALF = VectorSpecies.of(float.class,"
                        + " VectorShape.forBitSize(F.vectorBitSize() / 2));\n"
                        + "static final VectorSpecies<Long> LONGS = VectorSpecies.of(long.class,"
                        + " F.vectorShape());\n"
                        + "v.convertShape(VectorOperators.I2L, LONGS, 0); u.castShape(HALF, 0);"
                        + " FloatVector.SPECIES_256";
        List<String> found = otherShapes(half);
        assertTrue(found.size() == 3, "HALF's declaration, castShape, SPECIES_256: " + found);
        assertTrue(found.stream().anyMatch(s -> s.contains("castShape(HALF")), found.toString());
        assertTrue(found.stream().noneMatch(s -> s.contains("LONGS")), found.toString());
    }
}
