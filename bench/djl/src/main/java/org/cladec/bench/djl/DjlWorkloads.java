package org.cladec.bench.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The four full-step workloads of {@code cladec bench} on libtorch 2.7.1 through DJL 0.36, the
 * stronger peer of {@code bench/compare-pytorch.sh}: the same networks, batch and thread count as
 * {@code bench/scripts/torch_workloads.py}, and the same output ({@code name=... img/s}, the median
 * of the repeats).
 *
 * <p>Two traps of this stack are handled here, not hidden. DJL 0.36's PyTorch engine has no
 * transposed convolution, so each kernel-4 stride-2 padding-1 transposed convolution is four 2x2
 * convolutions, one per output parity, interleaved ({@link #convTranspose}); a self-test checks
 * that against the definition before anything is timed. And libtorch 2.7.1 has been seen to return
 * NaN input gradients on this kind of CPU for a convolution with an output channel count that is
 * not a multiple of 16 (the decoder's last 64→1 layer), so after timing every workload runs one
 * more step and checks that every gradient is finite; a workload that fails prints {@code name=nan}
 * and the program exits 1.
 *
 * <p>usage: {@code DjlWorkloads THREADS BATCH STEPS REPEATS} (run with {@code
 * -Dai.djl.offline=true}: the natives come from the Maven artifact on the class path)
 */
public final class DjlWorkloads {
    static final int[] WIDTHS = {32, 64, 128, 128, 256, 256, 512, 512};
    static final int[] STRIDES = {2, 2, 1, 2, 1, 2, 1, 2};
    static final int CLASSES = 10, SIDE = 32;

    private DjlWorkloads() {}

    /** Named trainable parameters (each with a gradient) plus buffers. */
    static class Params {
        final Map<String, NDArray> trainable = new LinkedHashMap<>();

        NDArray param(NDManager m, String name, float bound, Shape shape, boolean train) {
            return track(name, m.randomUniform(-bound, bound, shape), train);
        }

        /** {@code p}, given a gradient and registered under {@code name} when trained. */
        NDArray track(String name, NDArray p, boolean train) {
            if (train) {
                p.setRequiresGradient(true);
                trainable.put(name, p);
            }
            return p;
        }
    }

    /**
     * The reference VGG-style classifier (conv without bias, batch norm, ReLU; dropout, linear).
     */
    static final class Classifier extends Params {
        final NDArray[] conv = new NDArray[8],
                gamma = new NDArray[8],
                beta = new NDArray[8],
                mean = new NDArray[8],
                var = new NDArray[8];
        final NDArray predW, predB;

        Classifier(NDManager m, String prefix, boolean train) {
            int cin = 1;
            for (int i = 0; i < 8; i++) {
                int c = WIDTHS[i];
                String p = prefix + "blocks." + i + ".";
                conv[i] =
                        param(
                                m,
                                p + "conv.weight",
                                (float) (1 / Math.sqrt(cin * 9.0)),
                                new Shape(c, cin, 3, 3),
                                train);
                gamma[i] = track(p + "bn.weight", m.ones(new Shape(c)), train);
                beta[i] = track(p + "bn.bias", m.zeros(new Shape(c)), train);
                mean[i] = m.zeros(new Shape(c));
                var[i] = m.ones(new Shape(c));
                cin = c;
            }
            float b = (float) (1 / Math.sqrt(512));
            predW = param(m, prefix + "pred.weight", b, new Shape(CLASSES, 512), train);
            predB = param(m, prefix + "pred.bias", b, new Shape(CLASSES), train);
        }

        NDArray forward(NDArray x, boolean training) {
            for (int i = 0; i < 8; i++) {
                int s = STRIDES[i];
                x =
                        Conv2d.conv2d(x, conv[i], null, new Shape(s, s), new Shape(1, 1))
                                .singletonOrThrow();
                x =
                        BatchNorm.batchNorm(
                                        x, mean[i], var[i], gamma[i], beta[i], 1, 0.1f, 1e-5f,
                                        training)
                                .singletonOrThrow();
                x = Activation.relu(x);
            }
            x = x.reshape(x.getShape().get(0), 512);
            x = Dropout.dropout(x, 0.5f, training).singletonOrThrow();
            return Linear.linear(x, predW, predB).singletonOrThrow();
        }
    }

    /**
     * The layer −1 decoder: Linear(10→64) + ReLU as (64, 1, 1), transposed convolutions
     * 64→512→256→128→64 with ReLU, 64→1, sigmoid (1→2→4→8→16→32 pixels). Each transposed
     * convolution is held as its four parity kernels (Cout, Cin, 2, 2) and a bias.
     */
    static final class Decoder extends Params {
        static final int[] CH = {64, 512, 256, 128, 64, 1};
        final NDArray linW, linB;
        final NDArray[][] parity = new NDArray[5][4];
        final NDArray[] bias = new NDArray[5];

        Decoder(NDManager m, String prefix) {
            linW =
                    param(
                            m,
                            prefix + "lin.weight",
                            (float) (1 / Math.sqrt(10)),
                            new Shape(64, 10),
                            true);
            linB = param(m, prefix + "lin.bias", (float) (1 / Math.sqrt(10)), new Shape(64), true);
            for (int l = 0; l < 5; l++) {
                int cin = CH[l], cout = CH[l + 1];
                float b = (float) (1 / Math.sqrt(cout * 16.0));
                for (int p = 0; p < 4; p++)
                    parity[l][p] =
                            param(
                                    m,
                                    prefix + "up." + l + ".parity" + p,
                                    b,
                                    new Shape(cout, cin, 2, 2),
                                    true);
                bias[l] = param(m, prefix + "up." + l + ".bias", b, new Shape(cout), true);
            }
        }

        NDArray forward(NDArray act) {
            NDArray h = Activation.relu(Linear.linear(act, linW, linB).singletonOrThrow());
            h = h.reshape(h.getShape().get(0), 64, 1, 1);
            for (int l = 0; l < 5; l++) {
                h = convTranspose(h, parity[l], bias[l]);
                h = l < 4 ? Activation.relu(h) : Activation.sigmoid(h);
            }
            return h;
        }
    }

    /**
     * ConvTranspose2d(kernel 4, stride 2, padding 1) of x (N, Cin, H, W) as four 2x2 convolutions.
     * Output row 2m + py takes taps from input rows m − 1 + py and m + py, so the (py, px) plane is
     * the 2x2 convolution of x padded by 1, cropped at (py, px) to H x W; the planes interleave
     * into (N, Cout, 2H, 2W). {@code k[2·py + px]} is (Cout, Cin, 2, 2); in terms of a PyTorch
     * weight w (Cin, Cout, 4, 4), {@code k[2·py+px][co][ci][ty][tx] =
     * w[ci][co][T(py,ty)][T(px,tx)]} with T(0, ·) = (3, 1) and T(1, ·) = (2, 0) (see {@link #tap}).
     */
    static NDArray convTranspose(NDArray x, NDArray[] k, NDArray bias) {
        Shape s = x.getShape();
        long n = s.get(0), h = s.get(2), w = s.get(3), cout = k[0].getShape().get(0);
        NDList rows = new NDList();
        for (int py = 0; py < 2; py++) {
            NDList cols = new NDList();
            for (int px = 0; px < 2; px++) {
                NDArray full =
                        Conv2d.conv2d(x, k[2 * py + px], null, new Shape(1, 1), new Shape(1, 1))
                                .singletonOrThrow();
                cols.add(full.get(new NDIndex(":, :, {}:{}, {}:{}", py, py + h, px, px + w)));
            }
            rows.add(NDArrays.stack(cols, 4).reshape(n, cout, h, 2 * w));
        }
        return NDArrays.stack(rows, 3)
                .reshape(n, cout, 2 * h, 2 * w)
                .add(bias.reshape(1, cout, 1, 1));
    }

    /** The 4x4 kernel tap that parity p's 2x2 tap t stands for. */
    static int tap(int p, int t) {
        return p == 0 ? (t == 0 ? 3 : 1) : (t == 0 ? 2 : 0);
    }

    /**
     * Checks {@link #convTranspose} against the definition {@code out[o] += x[i]·w[k]} with {@code
     * o = 2i − 1 + k} on a small odd-sized case, in plain Java.
     */
    static void selfTest(NDManager m) {
        int n = 2, cin = 3, cout = 5, h = 3, w = 4;
        Random r = new Random(7);
        float[] x = new float[n * cin * h * w], bias = new float[cout];
        float[][] k = new float[4][cout * cin * 4];
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat() * 2 - 1;
        for (int i = 0; i < cout; i++) bias[i] = r.nextFloat() * 2 - 1;
        for (float[] kp : k) for (int i = 0; i < kp.length; i++) kp[i] = r.nextFloat() * 2 - 1;
        float[] wt = new float[cin * cout * 16]; // PyTorch layout (Cin, Cout, 4, 4)
        for (int py = 0; py < 2; py++)
            for (int px = 0; px < 2; px++)
                for (int co = 0; co < cout; co++)
                    for (int ci = 0; ci < cin; ci++)
                        for (int ty = 0; ty < 2; ty++)
                            for (int tx = 0; tx < 2; tx++)
                                wt[((ci * cout + co) * 4 + tap(py, ty)) * 4 + tap(px, tx)] =
                                        k[2 * py + px][((co * cin + ci) * 2 + ty) * 2 + tx];
        int oh = 2 * h, ow = 2 * w;
        float[] want = new float[n * cout * oh * ow];
        for (int b = 0; b < n; b++)
            for (int co = 0; co < cout; co++)
                for (int i = 0; i < oh * ow; i++) want[(b * cout + co) * oh * ow + i] = bias[co];
        for (int b = 0; b < n; b++)
            for (int ci = 0; ci < cin; ci++)
                for (int iy = 0; iy < h; iy++)
                    for (int ix = 0; ix < w; ix++)
                        for (int co = 0; co < cout; co++)
                            for (int ky = 0; ky < 4; ky++)
                                for (int kx = 0; kx < 4; kx++) {
                                    int oy = 2 * iy - 1 + ky, ox = 2 * ix - 1 + kx;
                                    if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) continue;
                                    want[((b * cout + co) * oh + oy) * ow + ox] +=
                                            x[((b * cin + ci) * h + iy) * w + ix]
                                                    * wt[((ci * cout + co) * 4 + ky) * 4 + kx];
                                }
        NDArray[] kk = new NDArray[4];
        for (int p = 0; p < 4; p++) kk[p] = m.create(k[p], new Shape(cout, cin, 2, 2));
        float[] got =
                convTranspose(m.create(x, new Shape(n, cin, h, w)), kk, m.create(bias))
                        .toFloatArray();
        double worst = 0;
        for (int i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
        if (got.length != want.length || worst > 1e-4) {
            throw new IllegalStateException(
                    "transposed convolution from parity convolutions is wrong: max |diff| "
                            + worst);
        }
    }

    static NDArray crossEntropy(NDArray logits, NDArray labels) {
        NDArray nll = logits.logSoftmax(1).mul(labels.oneHot(CLASSES)).sum().neg();
        return nll.div(logits.getShape().get(0));
    }

    static NDArray mse(NDArray a, NDArray b) {
        return a.sub(b).square().mean();
    }

    /** One training step: forward and loss inside the collector, backward, update, zero grads. */
    interface Loss {
        NDArray compute();
    }

    static void train(Params p, Optimizer opt, Loss loss, boolean check, String name) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(loss.compute());
        }
        for (Map.Entry<String, NDArray> e : p.trainable.entrySet()) {
            NDArray g = e.getValue().getGradient();
            if (check && (g.isNaN().any().getBoolean() || g.isInfinite().any().getBoolean())) {
                throw new IllegalStateException(
                        name + ": the gradient of " + e.getKey() + " is not finite");
            }
            opt.update(e.getKey(), e.getValue(), g);
            g.subi(g);
        }
    }

    public static void main(String[] args) {
        if (args.length != 4) {
            System.err.println("usage: DjlWorkloads THREADS BATCH STEPS REPEATS");
            System.exit(2);
        }
        int threads = Integer.parseInt(args[0]),
                batch = Integer.parseInt(args[1]),
                steps = Integer.parseInt(args[2]),
                repeats = Integer.parseInt(args[3]);
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        Engine engine = Engine.getEngine("PyTorch");
        System.err.println("DJL PyTorch engine, libtorch " + engine.getVersion());
        boolean failed = false;
        try (NDManager m = NDManager.newBaseManager()) {
            selfTest(m);
            Engine.getInstance().setRandomSeed(0);
            NDArray x = m.randomUniform(0, 1, new Shape(batch, 1, SIDE, SIDE));
            NDArray y = m.randomInteger(0, CLASSES, new Shape(batch), DataType.INT64);

            Classifier clf = new Classifier(m, "", true);
            Optimizer sgd =
                    Optimizer.sgd()
                            .setLearningRateTracker(Tracker.fixed(0.01f))
                            .optMomentum(0.9f)
                            .optWeightDecays(1e-4f)
                            .build();
            Classifier frozen = new Classifier(m, "frozen.", false);
            Decoder dec = new Decoder(m, "");
            Optimizer dAdam = adam();
            Classifier enc = new Classifier(m, "enc.", true);
            Decoder aeDec = new Decoder(m, "dec.");
            Params ae = new Params();
            ae.trainable.putAll(enc.trainable);
            ae.trainable.putAll(aeDec.trainable);
            Optimizer aAdam = adam();

            Map<String, java.util.function.Consumer<Boolean>> work = new LinkedHashMap<>();
            work.put(
                    "classifier_train",
                    check ->
                            train(
                                    clf,
                                    sgd,
                                    () -> crossEntropy(clf.forward(x, true), y),
                                    check,
                                    "classifier_train"));
            work.put(
                    "cladec_train",
                    check -> {
                        NDArray act = frozen.forward(x, false); // outside the collector: no grad
                        train(
                                dec,
                                dAdam,
                                () -> {
                                    NDArray rec = dec.forward(act);
                                    return mse(rec, x)
                                            .mul(0.999f)
                                            .add(
                                                    crossEntropy(frozen.forward(rec, false), y)
                                                            .mul(0.001f));
                                },
                                check,
                                "cladec_train");
                    });
            work.put(
                    "refae_train",
                    check ->
                            train(
                                    ae,
                                    aAdam,
                                    () -> mse(aeDec.forward(enc.forward(x, true)), x),
                                    check,
                                    "refae_train"));
            work.put("classifier_infer", check -> clf.forward(x, false).toFloatArray());

            for (Map.Entry<String, java.util.function.Consumer<Boolean>> e : work.entrySet()) {
                String name = e.getKey();
                try {
                    e.getValue().accept(false); // creates optimizer state: outside any scope
                    for (int i = 1; i < Math.max(3, steps); i++) scoped(e.getValue(), false);
                    List<Double> rates = new ArrayList<>();
                    for (int rep = 0; rep < repeats; rep++) {
                        long t0 = System.nanoTime();
                        for (int i = 0; i < steps; i++) scoped(e.getValue(), false);
                        rates.add(steps * (double) batch / ((System.nanoTime() - t0) / 1e9));
                    }
                    scoped(e.getValue(), true);
                    double[] r = rates.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                    System.out.printf("%s=%.1f img/s%n", name, r[r.length / 2]);
                } catch (RuntimeException ex) {
                    System.err.println(name + ": " + ex.getMessage());
                    System.out.println(name + "=nan img/s");
                    failed = true;
                }
                System.out.flush();
            }
        }
        if (failed) System.exit(1);
    }

    private static void scoped(java.util.function.Consumer<Boolean> step, boolean check) {
        try (NDScope scope = new NDScope()) {
            step.accept(check);
        }
    }

    private static Optimizer adam() {
        return Optimizer.adam()
                .optLearningRateTracker(Tracker.fixed(3e-4f))
                .optWeightDecays(1e-5f)
                .build();
    }
}
