package org.cladec.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every public type, constructor and method of the engine, the datasets and the ClaDec API carries
 * a Javadoc comment (overrides inherit theirs). The build's javadoc run ({@code doclint
 * all,-missing}, failing on warnings) checks that what is written is well formed; this test checks
 * it is written.
 */
class JavadocCoverageTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Pattern DECL =
            Pattern.compile(
                    "^\\s*public\\s+(?:(?:static|final|abstract|sealed|synchronized|default)\\s+)*(?:(?:class|interface|record|enum)\\s+\\w+|(?:<[^>]+>\\s+)?[\\w<>\\[\\],.? ]+\\s+\\w+\\s*\\(|\\w+\\s*\\()");

    static List<String> undocumented(Path src) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f :
                    (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    if (!DECL.matcher(lines.get(i)).find()) continue;
                    int j = i - 1;
                    boolean override = false;
                    while (j >= 0 && !lines.get(j).isBlank()) {
                        String t = lines.get(j).strip();
                        if (t.startsWith("@")) {
                            override |= t.startsWith("@Override");
                            j--;
                            continue;
                        }
                        int k = annotationStart(lines, j); // the end of a multi-line annotation?
                        if (k < 0) break;
                        j = k - 1;
                    }
                    boolean doc =
                            j >= 0 && lines.get(j).strip().endsWith("*/") && isJavadoc(lines, j);
                    if (!doc && !override)
                        out.add(ROOT.relativize(f) + ":" + (i + 1) + ": " + lines.get(i).strip());
                }
            }
        }
        return out;
    }

    /**
     * If line {@code end} closes an annotation that starts on an earlier line, that line's index,
     * else -1.
     */
    private static int annotationStart(List<String> lines, int end) {
        if (!lines.get(end).strip().endsWith(")")) return -1;
        int depth = 0;
        for (int k = end; k >= 0; k--) {
            String t = lines.get(k);
            for (char c : t.toCharArray()) depth += c == ')' ? 1 : c == '(' ? -1 : 0;
            if (depth <= 0 && t.strip().startsWith("@")) return k;
            if (t.strip().endsWith("*/") || t.strip().endsWith(";")) return -1;
        }
        return -1;
    }

    private static boolean isJavadoc(List<String> lines, int end) {
        for (int k = end; k >= 0; k--) {
            String s = lines.get(k).strip();
            if (s.startsWith("/**")) return true;
            if (s.startsWith("/*")) return false;
        }
        return false;
    }

    @Test
    void everyPublicTypeAndMethodIsDocumented() throws IOException {
        List<String> missing = new ArrayList<>();
        for (String m : new String[] {"engine", "datasets", "cladec"})
            missing.addAll(undocumented(ROOT.resolve(m + "/src/main/java")));
        assertTrue(
                missing.isEmpty(),
                missing.size()
                        + " public declarations without Javadoc:\n"
                        + String.join("\n", missing));
    }
}
