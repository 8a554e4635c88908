package org.cladec.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cladec.datasets.Augment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunConfigTest {
    @TempDir Path dir;

    @Test
    void thePaperAugmentsTheClassifierAndTheDemoDoesNot() {
        RunConfig paper = RunConfig.paper(1, 2), demo = RunConfig.demo(1, 2);
        assertTrue(paper.augment());
        assertEquals(
                Augment.shiftAndFlip(RunConfig.AUGMENT_SHIFT, 0.5f), paper.classifierAugment());
        assertFalse(demo.augment());
        assertTrue(demo.classifierAugment().isIdentity());
        assertFalse(paper.with(b -> b.augment = false).classifierAugment().wholePixelShifts());
    }

    @Test
    void aConfigRoundTripsThroughItsJson() throws Exception {
        RunConfig cfg = RunConfig.paper(7, 2).with(b -> b.decoderEpochs = 1);
        Files.writeString(dir.resolve("config.json"), new ObjectMapper().writeValueAsString(cfg));
        assertEquals(cfg, RunConfig.read(dir));
    }

    /** Run folders written before the option existed trained without it, and resume so. */
    @Test
    void aConfigWithoutTheAugmentFieldReadsAsNotAugmented() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode old = json.valueToTree(RunConfig.paper(3, 2));
        old.remove("augment");
        Files.writeString(dir.resolve("config.json"), json.writeValueAsString(old));
        RunConfig read = RunConfig.read(dir);
        assertFalse(read.augment());
        assertEquals(RunConfig.paper(3, 2).with(b -> b.augment = false), read);
    }
}
