package org.cladec.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSourceTest {
    @TempDir Path tmp;
    private static final DataSource.FolderOptions FO = DataSource.FolderOptions.DEFAULT;

    @Test
    void theChainPrefersFlagThenEnvironmentThenDebianThenEmbedded() throws Exception {
        Path flag = tmp.resolve("flag-fashion"),
                env = tmp.resolve("env-fashion"),
                deb = tmp.resolve("debian-fashion");
        DataFiles.idxDir(flag, 11, 3);
        DataFiles.idxDir(env, 12, 3);
        DataFiles.idxDir(deb, 13, 3);
        Map<String, String> withEnv = Map.of(DataSource.ENV, env.toString());
        assertEquals(
                11, DataSource.load(flag, DataSource.Kind.AUTO, FO, withEnv, deb).train().size());
        Splits e = DataSource.load(null, DataSource.Kind.AUTO, FO, withEnv, deb);
        assertEquals(12, e.train().size());
        assertTrue(e.source().contains("CLADEC_DATA"), e.source());
        Splits d = DataSource.load(null, DataSource.Kind.AUTO, FO, Map.of(), deb);
        assertEquals(13, d.train().size());
        assertTrue(d.source().contains("Debian"), d.source());
        Splits emb =
                DataSource.load(null, DataSource.Kind.AUTO, FO, Map.of(), tmp.resolve("absent"));
        assertTrue(emb.source().contains("embedded"), emb.source());
    }

    @Test
    void anExplicitLocationNeverFallsBackSilently() throws Exception {
        DatasetException e =
                assertThrows(
                        DatasetException.class,
                        () ->
                                DataSource.load(
                                        tmp.resolve("missing"),
                                        DataSource.Kind.AUTO,
                                        FO,
                                        Map.of(),
                                        tmp));
        assertTrue(e.getMessage().contains("data folder not found"), e.getMessage());
        Path broken = tmp.resolve("broken");
        DataFiles.idxDir(broken, 5, 5);
        Files.write(broken.resolve("t10k-labels-idx1-ubyte.gz"), new byte[] {1, 2, 3});
        assertThrows(
                DatasetException.class,
                () -> DataSource.load(broken, DataSource.Kind.AUTO, FO, Map.of(), tmp));
        assertThrows(
                DatasetException.class,
                () ->
                        DataSource.load(
                                null,
                                DataSource.Kind.AUTO,
                                FO,
                                Map.of(DataSource.ENV, broken.toString()),
                                tmp));
        Files.createDirectories(tmp.resolve("empty"));
        e =
                assertThrows(
                        DatasetException.class,
                        () ->
                                DataSource.load(
                                        tmp.resolve("empty"),
                                        DataSource.Kind.AUTO,
                                        FO,
                                        Map.of(),
                                        tmp));
        assertTrue(e.getMessage().contains("no dataset found"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DataSource.Kind.parse("imagenet"));
        assertEquals(DataSource.Kind.CIFAR100_COARSE, DataSource.Kind.parse("cifar100-coarse"));
    }

    @Test
    void mnistIsNamedByItsFolder() throws Exception {
        Path m = tmp.resolve("mnist");
        DataFiles.idxDir(m, 10, 10);
        assertEquals(
                "7",
                DataSource.load(m, DataSource.Kind.AUTO, FO, Map.of(), tmp)
                        .train()
                        .classNames()
                        .get(7));
    }

    @Test
    void embeddedDefaultIsTheBalancedOfficialTestSet() throws Exception {
        Splits s = EmbeddedFashionMnist.load();
        assertEquals(8000, s.train().size());
        assertEquals(2000, s.test().size());
        assertEquals(1, s.train().channels());
        assertEquals(28, s.train().height());
        assertEquals(28, s.train().width());
        int[] tr = new int[10], te = new int[10];
        java.util.Arrays.fill(tr, 800);
        java.util.Arrays.fill(te, 200);
        assertArrayEquals(tr, s.train().histogram());
        assertArrayEquals(te, s.test().histogram());
        assertEquals("Ankle boot", s.train().classNames().get(9));
        long sum = 0;
        for (int p = 0; p < 784; p++) sum += s.train().pixel(0, p);
        assertTrue(sum > 0, "real images, not zeros");
    }

    @Test
    void fullFashionMnistFromDebian() throws Exception {
        Path deb = Path.of(DataSource.DEBIAN_DIR);
        assumeTrue(
                IdxFormat.present(deb),
                "Debian's dataset-fashion-mnist is not installed at "
                        + deb
                        + "; skipping the full-data check");
        Splits s = DataSource.load(null, DataSource.Kind.AUTO, FO, Map.of(), deb);
        assertEquals(60_000, s.train().size());
        assertEquals(10_000, s.test().size());
        for (int c : s.train().histogram()) assertEquals(6000, c);
        for (int c : s.test().histogram()) assertEquals(1000, c);
    }
}
