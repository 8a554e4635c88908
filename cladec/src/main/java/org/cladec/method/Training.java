package org.cladec.method;

import java.util.ArrayList;
import java.util.List;
import org.cladec.datasets.Batch;
import org.cladec.datasets.DataLoader;
import org.cladec.datasets.ImageDataset;
import org.cladec.datasets.Resize;
import org.cladec.engine.autograd.NoGrad;
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
 */
public final class Training {
    private Training() {}

    public static final float CLASSIFIER_LR = 0.1f,
            CLASSIFIER_MOMENTUM = 0.9f,
            CLASSIFIER_WEIGHT_DECAY = 1e-4f;
    public static final float DECODER_LR = 3e-4f, DECODER_WEIGHT_DECAY = 1e-5f;

    /** One optimisation step on a batch; returns the loss. Runs inside a workspace scope. */
    @FunctionalInterface
    interface Step {
        float run(Batch b);
    }

    /**
     * Batches of {@code ds} at 32x32 for training: shuffled with the job's seed, last partial batch
     * dropped.
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
            DataLoader loader,
            Schedule s,
            Reporter r,
            Optimizer opt,
            LrScheduler sched,
            Step step,
            Runnable afterEpoch,
            History h) {
        Workspace ws = new Workspace();
        long t0 = System.nanoTime();
        try (loader;
                Reporter.Progress bar =
                        r.progress(task, (long) s.epochs() * loader.imagesPerEpoch(), "img")) {
            for (int e = 0; e < s.epochs(); e++) {
                double sum = 0;
                int n = 0, stepIndex = 0;
                for (Batch b : loader.epoch(e)) {
                    opt.zeroGrad();
                    float loss;
                    try (Workspace.Scope scope = ws.open()) {
                        loss = step.run(b);
                    }
                    if (!Float.isFinite(loss)) {
                        throw new IllegalStateException(
                                task
                                        + ": the loss became "
                                        + loss
                                        + " at epoch "
                                        + (e + 1)
                                        + ", step "
                                        + (stepIndex + 1)
                                        + "; training stopped (try a smaller learning rate)");
                    }
                    opt.step();
                    sum += loss;
                    n++;
                    stepIndex++;
                    bar.step(
                            b.size(),
                            String.format("epoch %d/%d loss %.4f", e + 1, s.epochs(), sum / n));
                }
                h.loss.add(n == 0 ? Double.NaN : sum / n);
                if (sched != null) sched.step();
                if (afterEpoch != null) afterEpoch.run();
            }
        }
        h.seconds = (System.nanoTime() - t0) / 1e9;
        h.imagesPerSecond =
                h.seconds > 0 ? (double) s.epochs() * loader.imagesPerEpoch() / h.seconds : 0;
        return h;
    }

    /**
     * Trains {@code clf} on {@code train}; after each epoch measures accuracy on {@code test} when
     * it is not null. Leaves the classifier in evaluation mode.
     */
    public static History classifier(
            String task,
            Classifier clf,
            ImageDataset train,
            ImageDataset test,
            Schedule s,
            Reporter r) {
        Sgd opt =
                new Sgd(
                        clf.parameters(),
                        CLASSIFIER_LR,
                        CLASSIFIER_MOMENTUM,
                        0f,
                        CLASSIFIER_WEIGHT_DECAY,
                        false);
        LrScheduler sched = s.epochs() > 0 ? LrScheduler.cosine(opt, s.epochs(), 0f) : null;
        History h = new History();
        clf.train(true);
        loop(
                task,
                trainLoader(train, s),
                s,
                r,
                opt,
                sched,
                b -> {
                    Tensor loss = F.crossEntropy(clf.forward(b.images()), b.labels());
                    loss.backward();
                    return loss.item();
                },
                () -> {
                    if (test != null) {
                        h.testAccuracy.add(Evaluation.accuracy(clf, test, s.batchSize()));
                        clf.train(true);
                    }
                },
                h);
        clf.eval();
        return h;
    }

    /**
     * Trains a ClaDec decoder for {@code layer} of the frozen classifier with {@code loss = (1 −
     * alpha)·MSE(x̂, x) + alpha·CE(classifier(x̂), y)}. The classifier runs in evaluation mode with
     * gradients off for its weights, so they stay bit-identical; for alpha > 0 the gradient of the
     * classification loss still flows through it into the reconstruction.
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
            ActivationCache cache) {
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
                            trainLoader(train, s),
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
                            new History());
            decoder.eval();
            return h;
        } finally {
            List<Tensor> ps = classifier.parameters();
            for (int i = 0; i < ps.size(); i++) ps.get(i).setRequiresGrad(wanted.get(i));
        }
    }

    /** Trains a reference autoencoder (encoder and decoder jointly) on reconstruction error. */
    public static History refAE(String task, RefAE ae, ImageDataset train, Schedule s, Reporter r) {
        ae.train(true);
        Adam opt = new Adam(ae.parameters(), DECODER_LR, DECODER_WEIGHT_DECAY);
        History h =
                loop(
                        task,
                        trainLoader(train, s),
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
                        new History());
        ae.eval();
        return h;
    }
}
