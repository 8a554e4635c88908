package org.cladec.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.cladec.datasets.EmbeddedFashionMnist;
import org.cladec.datasets.ImageDataset;
import org.cladec.datasets.Splits;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.cladec.io.SafeTensors;
import org.cladec.model.Classifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding API end to end on a few hundred embedded images. */
class ClaDecApiTest {
    @TempDir Path dir;

    @Test
    void trainExplainReconstructMeasureSave() throws Exception {
        Splits data = EmbeddedFashionMnist.load();
        ImageDataset train = data.train().head(320), test = data.test().head(96);
        Classifier clf = ClaDec.trainClassifier(train, 0.25f, 1, 32, 1);
        ClaDec.Explanation cla = ClaDec.explain(clf, "-2", 0f, train, 1, 32, 2);
        ClaDec.Explanation ref = ClaDec.referenceAutoencoder(clf, "-2", train, 1, 32, 3);
        Tensor x = Tensor.uniform(new Rng(4), 0, 1, 3, 1, 32, 32);
        assertArrayEquals(new int[] {3, 1, 32, 32}, cla.reconstruct(x).shape());
        assertArrayEquals(new int[] {3, 1, 32, 32}, ref.reconstruct(x).shape());
        assertEquals(-2, cla.layer().index());
        ClaDec.Measures m = ClaDec.measure(clf, cla, test, 32);
        assertTrue(
                m.mse() > 0 && m.mse() < 0.3 && Double.isNaN(m.evalAccuracyOriginal()),
                m.toString());
        ClaDec.Measures full = ClaDec.measure(clf, ref, train, test, 1, 32, 5);
        assertTrue(
                full.evalAccuracyReconstructed() >= 0 && full.evalAccuracyReconstructed() <= 1,
                full.toString());
        cla.save(dir.resolve("d.safetensors"));
        ref.save(dir.resolve("r.safetensors"));
        assertEquals(
                "cladec-decoder",
                SafeTensors.metadata(dir.resolve("d.safetensors")).get("cladec.kind"));
        assertEquals(
                "refae", SafeTensors.metadata(dir.resolve("r.safetensors")).get("cladec.kind"));
        Path clfFile = dir.resolve("c.safetensors");
        org.cladec.io.Models.saveClassifier(clfFile, clf);
        assertEquals(clf.parameterCount(), ClaDec.loadClassifier(clfFile).parameterCount());
    }
}
