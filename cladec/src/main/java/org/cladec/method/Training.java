package org.cladec.method;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cladec.datasets.Batch;
import org.cladec.datasets.DataLoader;
import org.cladec.datasets.ImageDataset;
import org.cladec.datasets.Resize;
import org.cladec.engine.autograd.NoGrad;
import org.cladec.engine.nn.Module;
import org.cladec.engine.ops.F;
import org.cladec.engine.optim.Adam;
import org.cladec.engine.optim.LrScheduler;
import org.cladec.engine.optim.Optimizer;
import org.cladec.engine.optim.Sgd;
import org.cladec.engine.tensor.Tensor;
import org.cladec.engine.tensor.Workspace;
import org.cladec.model.Classifier;
import org.cladec.model.Decoder;
import org.cladec.model.LayerRef;
import org.cladec.model.RefAE;

/**
 * The three training jobs of ClaDec, with the reference implementation's optimisers: the classifier
 * with SGD (lr 0.1, momentum 0.9, weight decay 1e-4; cosine decay over the epochs here, where the
 * reference decays ×0.1 every 29 of 64 epochs), the ClaDec decoder and the reference autoencoder
 * with Adam (lr 3e-4, weight decay 1e-5). Images are resized to 32x32 (nearest) as in the
 * reference; the last incomplete batch of an epoch is dropped (batch norm needs more than one value
 * per channel).
 *
 * <p>Every job can write a {@link Checkpoint} at the end of each epoch and resume from it; a loss
 * or gradient that stops being finite ends the job with a message naming the step and the
 * parameter, leaving the last good checkpoint in place.
 */
public final class Training {
    private Training() {}

    public static final float CLASSIFIER_LR = 0.1f,
            CLASSIFIER_MOMENTUM = 0.9f,
            CLASSIFIER_WEIGHT_DECAY = 1e-4f;
    public static final float DECODER_LR = 3e-4f, DECODER_WEIGHT_DECAY = 1e-5f;

    /**
     * One optimisation step's forward and backward on a batch; returns the loss. Runs inside a
     * workspace scope.
     */
    @FunctionalInterface
    interface Step {
        float run(Batch b);
    }

    /** Training stopped because a loss or a gradient stopped being finite. */
    public static final class DivergedException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        DivergedException(String message) {
            super(message);
        }
    }

    /**
     * Batches of {@code ds} at 32x32 for training: shuffled with the job's seed, augmented as the
     * schedule says, last partial batch dropped.
     */
    public static DataLoader trainLoader(ImageDataset ds, Schedule s) {
        if (ds.size() < s.batchSize()) {
            throw new IllegalArgumentException(
                    "training set of "
                            + ds.size()
                            + " images is smaller than one batch of "
                            + s.batchSize());
        }
        return DataLoader.builder(ds)
                .batchSize(s.batchSize())
                .shuffle(true, s.seed())
                .dropLast(true)
                .resize(Classifier.INPUT, Resize.Mode.NEAREST)
                .augment(s.augment())
                .prefetch(true)
                .build();
    }

    /** Batches of {@code ds} at 32x32 in dataset order, for evaluation. */
    public static DataLoader evalLoader(ImageDataset ds, int batchSize) {
        return DataLoader.builder(ds)
                .batchSize(batchSize)
                .resize(Classifier.INPUT, Resize.Mode.NEAREST)
                .prefetch(true)
                .build();
    }

    private static History loop(
            String task,
            Module model,
            ImageDataset train,
            Schedule s,
            Reporter r,
            Optimizer opt,
            LrScheduler sched,
            Step step,
            java.util.function.Consumer<History> afterEpoch,
            Checkpoint ckpt) {
        History h = new History();
        int first = 0;
        long steps = 0;
        if (ckpt != null) {
            try {
                long[] done = ckpt.restore(model, opt, h);
                if (done != null) {
                    first = (int) Math.min(done[0], s.epochs());
                    steps = done[1];
                    if (sched != null) sched.setEpoch(first);
                    r.log(
                            String.format(
                                    "%s: resumed from %s after epoch %d",
                                    task, ckpt.file().getFileName(), first));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Map<String, Tensor> named = model.namedParameters();
        Workspace ws = new Workspace();
        double before = h.seconds;
        long t0 = System.nanoTime();
        try (DataLoader loader = trainLoader(train, s);
                Reporter.Progress bar =
                        r.progress(
                                task,
                                (long) (s.epochs() - first) * loader.imagesPerEpoch(),
                                "img")) {
            for (int e = first; e < s.epochs(); e++) {
                double sum = 0;
                int n = 0;
                for (Batch b : loader.epoch(e)) {
                    opt.zeroGrad();
                    float loss;
                    try (Workspace.Scope scope = ws.open()) {
                        loss = step.run(b);
                    }
                    steps++;
                    if (!Float.isFinite(loss)) {
                        throw new DivergedException(
                                String.format(
                                        "%s: the loss became %s at epoch %d, step %d; stopped (the last good checkpoint is kept)",
                                        task, loss, e + 1, steps));
                    }
                    checkGradients(task, named, e, steps);
                    opt.step();
                    sum += loss;
                    n++;
                    bar.step(b.size(), status(e, s.epochs(), sum / n, h));
                }
                h.loss.add(n == 0 ? Double.NaN : sum / n);
                if (sched != null) sched.step();
                if (afterEpoch != null) afterEpoch.accept(h);
                h.seconds = before + (System.nanoTime() - t0) / 1e9;
                if (ckpt != null) {
                    try {
                        ckpt.save(model, opt, e + 1, steps, h);
                    } catch (IOException ex) {
                        throw new UncheckedIOException(ex);
                    }
                }
            }
        }
        double sec = (System.nanoTime() - t0) / 1e9;
        h.seconds = before + sec;
        // over the whole job: a run resumed after its last epoch still reports the rate it trained
        // at (steps and seconds both count from the job's start, up to its last checkpoint)
        h.imagesPerSecond = h.seconds > 0 ? steps * (double) s.batchSize() / h.seconds : 0;
        return h;
    }

    /** The bar's message: epoch, running loss and, once measured, the last test accuracy. */
    static String status(int epoch, int epochs, double loss, History h) {
        String st = String.format("epoch %d/%d loss %.4f", epoch + 1, epochs, loss);
        if (h.testAccuracy.isEmpty()) return st;
        return st
                + String.format(
                        " (test acc. %.2f%% after epoch %d)",
                        100 * h.testAccuracy.get(h.testAccuracy.size() - 1), h.testAccuracy.size());
    }

    static void checkGradients(String task, Map<String, Tensor> named, int epoch, long step) {
        for (Map.Entry<String, Tensor> p : named.entrySet()) {
            Tensor g = p.getValue().grad();
            if (g == null) continue;
            float[] d = g.data();
            for (int i = 0, n = g.size(); i < n; i++) {
                if (!Float.isFinite(d[i])) {
                    throw new DivergedException(
                            String.format(
                                    "%s: the gradient of %s became %s at epoch %d, step %d; stopped (the last good checkpoint is kept)",
                                    task, p.getKey(), d[i], epoch + 1, step));
                }
            }
        }
    }

    /**
     * Trains {@code clf} on {@code train}; after each epoch measures accuracy on {@code test} when
     * it is not null. Leaves the classifier in evaluation mode. {@code ckpt} may be null.
     */
    public static History classifier(
            String task,
            Classifier clf,
            ImageDataset train,
            ImageDataset test,
            Schedule s,
            Reporter r,
            Checkpoint ckpt) {
        Sgd opt =
                new Sgd(
                        clf.parameters(),
                        CLASSIFIER_LR,
                        CLASSIFIER_MOMENTUM,
                        0f,
                        CLASSIFIER_WEIGHT_DECAY,
                        false);
        LrScheduler sched = s.epochs() > 0 ? LrScheduler.cosine(opt, s.epochs(), 0f) : null;
        clf.train(true);
        History h =
                loop(
                        task,
                        clf,
                        train,
                        s,
                        r,
                        opt,
                        sched,
                        b -> {
                            Tensor loss = F.crossEntropy(clf.forward(b.images()), b.labels());
                            loss.backward();
                            return loss.item();
                        },
                        hist -> {
                            if (test != null) {
                                hist.testAccuracy.add(
                                        Evaluation.accuracy(clf, test, s.batchSize()));
                                clf.train(true);
                            }
                        },
                        ckpt);
        clf.eval();
        return h;
    }

    /**
     * Trains a ClaDec decoder for {@code layer} of the frozen classifier with {@code loss = (1 −
     * alpha)·MSE(x̂, x) + alpha·CE(classifier(x̂), y)}. The classifier runs in evaluation mode with
     * gradients off for its weights, so they stay bit-identical; for alpha > 0 the gradient of the
     * classification loss still flows through it into the reconstruction. With a {@code cache}
     * (built from {@code train}), the layer's activations are read from it instead of recomputed
     * each epoch. {@code cache} and {@code ckpt} may be null.
     */
    public static History claDec(
            String task,
            Classifier classifier,
            LayerRef layer,
            Decoder decoder,
            float alpha,
            ImageDataset train,
            Schedule s,
            Reporter r,
            ActivationCache cache,
            Checkpoint ckpt) {
        if (cache != null && !cache.layer().equals(layer)) {
            throw new IllegalArgumentException(
                    "activation cache is for layer " + cache.layer() + ", not " + layer);
        }
        if (!(alpha >= 0f && alpha <= 1f))
            throw new IllegalArgumentException("alpha must be in [0, 1], but got " + alpha);
        List<Boolean> wanted = new ArrayList<>();
        for (Tensor p : classifier.parameters()) wanted.add(p.requiresGrad());
        classifier.eval();
        classifier.setRequiresGrad(false);
        decoder.train(true);
        Adam opt = new Adam(decoder.parameters(), DECODER_LR, DECODER_WEIGHT_DECAY);
        try {
            History h =
                    loop(
                            task,
                            decoder,
                            train,
                            s,
                            r,
                            opt,
                            null,
                            b -> {
                                Tensor act;
                                if (cache != null) {
                                    act = cache.gather(b.indices());
                                } else {
                                    try (NoGrad g = NoGrad.enter()) {
                                        act = classifier.forwardTo(b.images(), layer);
                                    }
                                }
                                Tensor rec = decoder.forward(act);
                                Tensor loss = F.mse(rec, b.images());
                                if (alpha > 0f) {
                                    Tensor ce = F.crossEntropy(classifier.forward(rec), b.labels());
                                    loss = F.add(F.mul(loss, 1f - alpha), F.mul(ce, alpha));
                                }
                                loss.backward();
                                return loss.item();
                            },
                            null,
                            ckpt);
            decoder.eval();
            return h;
        } finally {
            List<Tensor> ps = classifier.parameters();
            for (int i = 0; i < ps.size(); i++) ps.get(i).setRequiresGrad(wanted.get(i));
        }
    }

    /**
     * Trains a reference autoencoder (encoder and decoder jointly) on reconstruction error. {@code
     * ckpt} may be null.
     */
    public static History refAE(
            String task, RefAE ae, ImageDataset train, Schedule s, Reporter r, Checkpoint ckpt) {
        ae.train(true);
        Adam opt = new Adam(ae.parameters(), DECODER_LR, DECODER_WEIGHT_DECAY);
        History h =
                loop(
                        task,
                        ae,
                        train,
                        s,
                        r,
                        opt,
                        null,
                        b -> {
                            Tensor loss = F.mse(ae.forward(b.images()), b.images());
                            loss.backward();
                            return loss.item();
                        },
                        null,
                        ckpt);
        ae.eval();
        return h;
    }
}
