package org.cladec.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.cladec.datasets.Augment;
import org.cladec.datasets.EmbeddedFashionMnist;
import org.cladec.datasets.ImageDataset;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.cladec.io.RunLock;
import org.cladec.io.SafeTensors;
import org.cladec.model.Classifier;
import org.cladec.model.Decoder;
import org.cladec.model.LayerRef;
import org.cladec.testing.CliProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs that lose no work and write no garbage: kill and resume, determinism, divergence, memory.
 */
class ResilienceTest {
    @TempDir Path dir;

    static final String[] TRAIN = {
        "train",
        "--small",
        "--train-limit",
        "2400",
        "--test-limit",
        "64",
        "--epochs",
        "3",
        "--batch-size",
        "32",
        "--seed",
        "5",
        "--threads",
        "2"
    };

    private static Process start(Path log, String... args) throws Exception {
        return CliProcess.builder(List.of("-Xmx1g"), args).redirectOutput(log.toFile()).start();
    }

    private static String[] with(String[] base, String... more) {
        String[] a = new String[base.length + more.length];
        System.arraycopy(base, 0, a, 0, base.length);
        System.arraycopy(more, 0, a, base.length, more.length);
        return a;
    }

    /** Every file but interrupted writes' temp files parses completely. */
    private static void everyFileIsComplete(Path run) throws Exception {
        try (Stream<Path> s = Files.walk(run)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                if (!Files.isRegularFile(p) || (n.startsWith(".") && n.endsWith(".tmp"))) continue;
                if (n.endsWith(".json")) new ObjectMapper().readTree(p.toFile());
                else if (n.endsWith(".safetensors")) SafeTensors.read(p);
                else if (n.endsWith(".png"))
                    assertTrue(ImageIO.read(p.toFile()) != null, p.toString());
            }
        }
    }

    @Test
    void aRunKilledMidEpochResumesToBitIdenticalWeights() throws Exception {
        Path ref = dir.resolve("ref"), victim = dir.resolve("victim");
        Process a = start(dir.resolve("ref.log"), with(TRAIN, "--out", ref.toString()));
        Process b = start(dir.resolve("victim.log"), with(TRAIN, "--out", victim.toString()));
        Path ckpt = victim.resolve("checkpoints/classifier.safetensors");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!Files.exists(ckpt) && b.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(
                Files.exists(ckpt),
                "the first end-of-epoch checkpoint appeared: "
                        + Files.readString(dir.resolve("victim.log")));
        Thread.sleep(300); // into the second epoch
        assertTrue(b.isAlive(), "still training when killed");
        b.destroyForcibly(); // SIGKILL
        b.waitFor();
        everyFileIsComplete(victim);
        assertTrue(
                SafeTensors.metadata(ckpt).get("epochs").matches("[12]"),
                "a complete checkpoint of epoch 1 or 2");
        assertEquals(0, a.waitFor(), Files.readString(dir.resolve("ref.log")));

        Process c = start(dir.resolve("resume.log"), "train", "--resume", victim.toString());
        assertEquals(0, c.waitFor(), Files.readString(dir.resolve("resume.log")));
        assertTrue(
                Files.readString(dir.resolve("resume.log"))
                        .contains("resumed from classifier.safetensors"));
        String log = Files.readString(victim.resolve("log.txt"));
        int first = log.indexOf("run folder"), again = log.indexOf("run folder", first + 1);
        assertTrue(
                first >= 0 && again > first && log.indexOf("resumed from", again) > again,
                "the resumed run continues the killed run's log.txt:\n" + log);
        everyFileIsComplete(victim);
        try (Stream<Path> s = Files.walk(victim)) {
            assertTrue(
                    s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")),
                    "resume removed temp files");
        }
        Map<String, Tensor> x =
                SafeTensors.read(ref.resolve("models/classifier.safetensors")).tensors();
        Map<String, Tensor> y =
                SafeTensors.read(victim.resolve("models/classifier.safetensors")).tensors();
        assertEquals(x.keySet(), y.keySet());
        for (String k : x.keySet())
            assertArrayEquals(x.get(k).toArray(), y.get(k).toArray(), k + " differs after resume");
        double accRef =
                new ObjectMapper()
                        .readTree(ref.resolve("metrics.json").toFile())
                        .get("classifier")
                        .get("test_accuracy")
                        .asDouble();
        double accRes =
                new ObjectMapper()
                        .readTree(victim.resolve("metrics.json").toFile())
                        .get("classifier")
                        .get("test_accuracy")
                        .asDouble();
        assertEquals(accRef, accRes);
    }

    @Test
    void aRunFolderInUseIsRefusedByAnotherProcessAndThisOne() throws Exception {
        Path run = dir.resolve("busy");
        try (RunLock held = RunLock.acquire(run)) {
            Process p = start(dir.resolve("busy.log"), with(TRAIN, "--out", run.toString()));
            int exit = p.waitFor();
            String log = Files.readString(dir.resolve("busy.log"));
            assertTrue(exit != 0, "a second run of the folder must fail: " + log);
            assertTrue(
                    log.contains(run.toString()) && log.contains("in use by another cladec run"),
                    log);
            assertFalse(Files.exists(run.resolve("config.json")), "nothing written");
            IOException inProcess = assertThrows(IOException.class, () -> RunLock.acquire(run));
            assertTrue(inProcess.getMessage().contains(run.toString()), inProcess.getMessage());
        }
        RunLock.acquire(run).close(); // free again once released
    }

    @Test
    void theSameSeedGivesBitIdenticalWeights() throws Exception {
        ImageDataset data = EmbeddedFashionMnist.load().train().head(192);
        float[][] runs = new float[2][];
        float[][] decoders = new float[2][];
        for (int k = 0; k < 2; k++) {
            Classifier c = Classifier.create(1, 10, 0.25f, new Rng(9));
            Training.classifier(
                    "c",
                    c,
                    data,
                    null,
                    new Schedule(2, 32, 4).withAugment(Augment.shiftAndFlip(2, 0.5f)),
                    Reporter.silent(),
                    null);
            List<Float> all = new ArrayList<>();
            for (Tensor t : c.stateDict().values()) for (float v : t.toArray()) all.add(v);
            runs[k] = toArray(all);
            LayerRef layer = c.layer("-1");
            Decoder d = Decoder.forLayer(layer, 1, 0.25f, new Rng(3));
            Training.claDec(
                    "d",
                    c,
                    layer,
                    d,
                    0.1f,
                    data,
                    new Schedule(1, 32, 6),
                    Reporter.silent(),
                    null,
                    null);
            all.clear();
            for (Tensor t : d.stateDict().values()) for (float v : t.toArray()) all.add(v);
            decoders[k] = toArray(all);
        }
        assertArrayEquals(runs[0], runs[1], "classifier weights");
        assertArrayEquals(decoders[0], decoders[1], "decoder weights");
    }

    private static float[] toArray(List<Float> l) {
        float[] a = new float[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = l.get(i);
        return a;
    }

    @Test
    void aJobResumedAfterItsLastEpochKeepsItsHistoryAndRate() throws Exception {
        ImageDataset data = EmbeddedFashionMnist.load().train().head(128);
        Checkpoint ckpt = new Checkpoint(dir.resolve("done.safetensors"));
        Schedule s = new Schedule(2, 32, 1);
        // a second call on the finished job's checkpoint trains nothing; its fresh weights
        // (another seed) are replaced by the checkpoint's
        java.util.function.LongFunction<History> train =
                seed ->
                        Training.classifier(
                                "c",
                                Classifier.create(1, 10, 0.25f, new Rng(seed)),
                                data,
                                null,
                                s,
                                Reporter.silent(),
                                ckpt);
        History first = train.apply(1), again = train.apply(2);
        assertEquals(first.loss, again.loss);
        assertTrue(first.imagesPerSecond > 0, "rate " + first.imagesPerSecond);
        // 2 epochs of 4 batches of 32 over the job's seconds, not this call's zero images
        assertEquals(256 / again.seconds, again.imagesPerSecond, 1e-9 * again.imagesPerSecond);
        // the job's time up to its last checkpoint (the first call also counts saving it)
        assertTrue(
                again.seconds > 0 && again.seconds <= first.seconds,
                again.seconds + " vs " + first.seconds);
    }

    @Test
    void aNonFiniteLossStopsTrainingAndKeepsTheLastGoodCheckpoint() throws Exception {
        ImageDataset data = EmbeddedFashionMnist.load().train().head(128);
        Classifier c = Classifier.create(1, 10, 0.25f, new Rng(1));
        Checkpoint ckpt = new Checkpoint(dir.resolve("good.safetensors"));
        Training.classifier("c", c, data, null, new Schedule(1, 32, 1), Reporter.silent(), ckpt);
        byte[] good = Files.readAllBytes(ckpt.file());
        c.stateDict().get("pred.bias").data()[3] = Float.NaN;
        Checkpoint fresh = new Checkpoint(dir.resolve("bad.safetensors"));
        Training.DivergedException e =
                assertThrows(
                        Training.DivergedException.class,
                        () ->
                                Training.classifier(
                                        "poisoned",
                                        c,
                                        data,
                                        null,
                                        new Schedule(2, 32, 1),
                                        Reporter.silent(),
                                        fresh));
        assertTrue(
                e.getMessage().contains("poisoned")
                        && e.getMessage().contains("NaN")
                        && e.getMessage().contains("step 1"),
                e.getMessage());
        assertFalse(Files.exists(fresh.file()), "no checkpoint of a diverged epoch");
        assertArrayEquals(
                good, Files.readAllBytes(ckpt.file()), "the good checkpoint is untouched");
    }

    @Test
    void aNonFiniteGradientNamesTheParameter() {
        Tensor w = Tensor.zeros(2, 2).setRequiresGrad(true);
        w.setGrad(Tensor.of(new float[] {0, 1, Float.POSITIVE_INFINITY, 2}, 2, 2));
        Training.DivergedException e =
                assertThrows(
                        Training.DivergedException.class,
                        () ->
                                Training.checkGradients(
                                        "job", Map.of("blocks.3.conv.weight", w), 4, 77));
        assertTrue(
                e.getMessage()
                        .contains(
                                "gradient of blocks.3.conv.weight became Infinity at epoch 5, step 77"),
                e.getMessage());
    }

    @Test
    void footprintOfTheReferenceNetworkIsPlausible() {
        long b = Footprint.trainingBytes(1, 10, 1f, List.of(-1), 128);
        assertTrue(b > 200e6 && b < 4e9, "bytes " + b);
        assertThrows(
                IllegalArgumentException.class,
                () -> Footprint.require(Long.MAX_VALUE / 2, "a test step"));
        assertTrue(new File(".").exists());
    }
}
