package org.cladec.engine.parallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Supplier;
import org.cladec.engine.nn.BatchNorm;
import org.cladec.engine.nn.Conv2d;
import org.cladec.engine.nn.ConvTranspose2d;
import org.cladec.engine.nn.Linear;
import org.cladec.engine.nn.Module;
import org.cladec.engine.ops.F;
import org.cladec.engine.optim.Adam;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.cladec.model.Classifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pool cuts a job in proportion to the threads' measured speeds, so chunk boundaries move from
 * job to job. Here the speeds are fixed: the bounds follow them (aligned where asked, equal where
 * the speeds are), and two training steps of convolutions (one whose input gradient fuses col2im
 * and is cut on its image grain), transposed convolutions, batch norm, dropout, a linear layer and
 * Adam give one thread's gradients and parameters bit for bit however the chunks fall.
 */
class SkewedSplitTest {
    @AfterEach
    void learnAgain() {
        Parallel.fixSpeeds(null);
    }

    @Test
    void boundsFollowTheSpeeds() {
        Parallel.fixSpeeds(1.0);
        assertArrayEquals(new int[] {0, 64, 128}, Parallel.boundsFor(128, 2, 1, true));
        assertArrayEquals(new int[] {0, 50, 101}, Parallel.boundsFor(101, 2, 1, true));
        // equal chunks too meet on a multiple of the grain where one fits
        assertArrayEquals(new int[] {0, 66, 128}, Parallel.boundsFor(128, 2, 6, true));
        assertArrayEquals(new int[] {0, 18, 32}, Parallel.boundsFor(32, 2, 6, false));
        Parallel.fixSpeeds(1.02); // within the noise: equal
        assertArrayEquals(new int[] {0, 64, 128}, Parallel.boundsFor(128, 2, 1, true));
        Parallel.fixSpeeds(0.7); // the worker at 0.7 of the caller's speed: 0.7 / 1.7 of the items
        assertArrayEquals(new int[] {0, 75, 128}, Parallel.boundsFor(128, 2, 1, true));
        assertArrayEquals(new int[] {0, 78, 128}, Parallel.boundsFor(128, 2, 6, true));
        assertArrayEquals(new int[] {0, 64, 128}, Parallel.boundsFor(128, 2, 64, true));
        // no multiple of 64 inside 64 images: equal halves, as with equal speeds
        assertArrayEquals(new int[] {0, 32, 64}, Parallel.boundsFor(64, 2, 64, true));
        assertArrayEquals(new int[] {0, 64, 128}, Parallel.boundsFor(128, 2, 1, false));
        Parallel.fixSpeeds(1.5);
        assertArrayEquals(new int[] {0, 51, 128}, Parallel.boundsFor(128, 2, 1, true));
        assertArrayEquals(new int[] {0, 1, 2}, Parallel.boundsFor(2, 2, 1, true)); // one item each
        Parallel.fixSpeeds(100.0); // clamped: e^±0.5, 0.6 to 1.65 of an equal chunk
        assertArrayEquals(new int[] {0, 378, 1000}, Parallel.boundsFor(1000, 2, 1, true));
        Parallel.fixSpeeds(0.01);
        assertArrayEquals(new int[] {0, 622, 1000}, Parallel.boundsFor(1000, 2, 1, true));
    }

    @Test
    void skewedChunksCoverEveryIndexOnce() {
        for (double speed : new double[] {0.6, 1.7}) {
            Parallel.fixSpeeds(speed);
            for (int n : new int[] {2, 3, 7, 128, 1001}) {
                AtomicIntegerArray seen = new AtomicIntegerArray(n);
                Parallel.forAligned(
                        n,
                        3,
                        (lo, hi) -> {
                            for (int i = lo; i < hi; i++) seen.incrementAndGet(i);
                        });
                for (int i = 0; i < n; i++) assertEquals(1, seen.get(i), "n=" + n + " " + i);
            }
        }
    }

    @Test
    void groupsAreNeverCutOffTheirGrain() {
        for (double speed : new double[] {0.6, 1.0, 1.7}) {
            Parallel.fixSpeeds(speed);
            for (int grain : new int[] {1, 3, 6}) {
                for (int n : new int[] {1, 2, 4, 5, 6, 7, 13, 130}) {
                    AtomicIntegerArray seen = new AtomicIntegerArray(n);
                    List<int[]> parts = Collections.synchronizedList(new ArrayList<>());
                    Parallel.forGroups(
                            n,
                            grain,
                            (lo, hi) -> {
                                parts.add(new int[] {lo, hi});
                                for (int i = lo; i < hi; i++) seen.incrementAndGet(i);
                            });
                    String what = "n=" + n + " grain=" + grain + " speed=" + speed;
                    for (int i = 0; i < n; i++) assertEquals(1, seen.get(i), what + " " + i);
                    for (int[] part : parts) assertEquals(0, part[0] % grain, what);
                    if (n <= grain) assertEquals(1, parts.size(), what);
                }
            }
        }
    }

    /**
     * The input gradient that fuses col2im groups a pixel's sums by chunks of images that start at
     * the part's first image. With fewer images than two such chunks no boundary fits on one; the
     * pool used to cut them in equal halves anyway, and 2-5 images (a 16 x 16 -> 8 x 8 layer, six
     * images a chunk) gave another dx than one thread in ~1% of its elements.
     */
    @Test
    void aFewImagesOnAChunkedInputGradientGiveOneThreadsBits() {
        for (int n = 2; n <= 7; n++) {
            float[] one = convStep(n, null);
            for (Double speed : new Double[] {1.0, 0.6, 1.7})
                assertArrayEquals(one, convStep(n, speed), n + " images, speed " + speed);
        }
    }

    /** A 16 x 16 -> 8 x 8 convolution's output, input gradient and weight gradient. */
    private static float[] convStep(int n, Double speed) {
        return runAt(
                speed,
                () -> {
                    Rng r = new Rng(11);
                    Tensor x = Tensor.uniform(r, -1, 1, n, 8, 16, 16).setRequiresGrad(true);
                    Tensor w = Tensor.uniform(r, -1, 1, 16, 8, 3, 3).setRequiresGrad(true);
                    Tensor y = F.conv2d(x, w, null, 2, 1);
                    F.sum(F.mul(y, Tensor.uniform(r, -1, 1, y.shape()))).backward();
                    float[] a = y.toArray(), b = x.grad().toArray(), c = w.grad().toArray();
                    float[] all = Arrays.copyOf(a, a.length + b.length + c.length);
                    System.arraycopy(b, 0, all, a.length, b.length);
                    System.arraycopy(c, 0, all, a.length + b.length, c.length);
                    return all;
                });
    }

    /** What {@code step} computes: on one thread if speed is null, else on the pool at speed. */
    private static float[] runAt(Double speed, Supplier<float[]> step) {
        if (speed != null) {
            Parallel.fixSpeeds(speed);
            return step.get();
        }
        float[][] out = new float[1][];
        Parallel.serially(() -> out[0] = step.get());
        return out[0];
    }

    @Test
    void trainingStepGivesOneThreadsBits() {
        float[] one = run(null), reference = null;
        for (Double speed : new Double[] {1.0, 0.6, 1.7}) {
            float[] pooled = run(speed);
            assertArrayEquals(one, pooled, "worker speed " + speed);
            reference = pooled;
        }
        assertTrue(reference.length > 200_000, "values: " + reference.length);
    }

    /**
     * The gradients of two training steps of a small network and its parameters after the two Adam
     * steps; on one thread if speed is null.
     */
    private static float[] run(Double speed) {
        return runAt(
                speed,
                () -> {
                    Rng r = new Rng(7);
                    Module net =
                            new Module() {
                                final Conv2d c0 =
                                        registerModule("c0", Classifier.Block.conv(1, 8, 2, r));
                                // 16 x 16 -> 8 x 8 over 8 channels: the input gradient with
                                // col2im fused into its product, whose sums follow the image
                                // grain
                                final Conv2d c1 =
                                        registerModule("c1", Classifier.Block.conv(8, 20, 2, r));
                                final BatchNorm bn1 = registerModule("bn1", BatchNorm.of2d(20));
                                final Conv2d c2 =
                                        registerModule("c2", Classifier.Block.conv(20, 40, 1, r));
                                final BatchNorm bn2 = registerModule("bn2", BatchNorm.of2d(40));
                                final Conv2d c3 =
                                        registerModule("c3", Classifier.Block.conv(40, 48, 2, r));
                                final Linear fc = registerModule("fc", Linear.of(48 * 16, 64, r));
                                final ConvTranspose2d up =
                                        registerModule(
                                                "up",
                                                ConvTranspose2d.builder()
                                                        .setIn(40)
                                                        .setOut(18)
                                                        .setKernel(4)
                                                        .optStride(2)
                                                        .optPadding(1)
                                                        .build(r));

                                @Override
                                public Tensor forward(Tensor x) {
                                    Tensor h = F.relu(bn1.forward(c1.forward(c0.forward(x))));
                                    h = F.relu(bn2.forward(c2.forward(h)));
                                    Tensor y = c3.forward(h);
                                    Tensor z = fc.forward(F.dropout(F.flatten(y), 0.3f, true, r));
                                    return F.add(F.sum(z), F.sum(up.forward(h)));
                                }

                                @Override
                                public int[] outputShape(int[] inputShape) {
                                    return new int[0];
                                }
                            };
                    Adam adam = new Adam(net.parameters(), 1e-3f, 1e-5f);
                    Tensor x = Tensor.uniform(r, -1, 1, 130, 1, 32, 32);
                    List<Float> all = new ArrayList<>();
                    for (int s = 0; s < 2; s++) {
                        adam.zeroGrad();
                        net.forward(x).backward();
                        // the gradients themselves: Adam's first steps are nearly sign(g), which
                        // a difference in a gradient's last bits would not reach
                        for (Tensor p : net.parameters())
                            for (float v : p.grad().toArray()) all.add(v);
                        adam.step();
                    }
                    for (Tensor p : net.parameters()) for (float v : p.toArray()) all.add(v);
                    float[] a = new float[all.size()];
                    for (int i = 0; i < a.length; i++) a[i] = all.get(i);
                    return a;
                });
    }
}
