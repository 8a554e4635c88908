package org.cladec.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every code block of docs/tour.md that names a source file ({@code ```java file=PATH}) must appear
 * in that file verbatim (line by line, trailing spaces ignored), so the tour cannot drift from the
 * code.
 */
class TourSnippetsTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Pattern BLOCK =
            Pattern.compile("```java file=(\\S+)\\n(.*?)\\n```", Pattern.DOTALL);

    static List<String> lines(String s) {
        List<String> out = new ArrayList<>();
        for (String l : s.split("\n", -1)) out.add(l.stripTrailing());
        return out;
    }

    @Test
    void everyQuotedSnippetExistsVerbatim() throws Exception {
        String tour = Files.readString(ROOT.resolve("docs/tour.md"));
        Matcher m = BLOCK.matcher(tour);
        int n = 0;
        while (m.find()) {
            n++;
            Path file = ROOT.resolve(m.group(1));
            assertTrue(Files.isRegularFile(file), "the tour quotes a missing file: " + m.group(1));
            List<String> src = lines(Files.readString(file)), snip = lines(m.group(2));
            if (!contains(src, snip))
                fail(
                        "docs/tour.md quotes "
                                + m.group(1)
                                + ", but this no longer appears there:\n"
                                + m.group(2));
        }
        assertTrue(n >= 8, "the tour quotes the code at every stop: " + n + " quotes found");
        for (String linked :
                new String[] {
                    "docs/img/conv-transpose.svg", "docs/architecture.md", "docs/pytorch-interop.md"
                }) {
            assertTrue(Files.isRegularFile(ROOT.resolve(linked)), "missing " + linked);
        }
    }

    static boolean contains(List<String> src, List<String> snip) {
        outer:
        for (int i = 0; i + snip.size() <= src.size(); i++) {
            for (int j = 0; j < snip.size(); j++)
                if (!src.get(i + j).equals(snip.get(j))) continue outer;
            return true;
        }
        return false;
    }
}
