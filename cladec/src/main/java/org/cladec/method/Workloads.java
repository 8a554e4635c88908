package org.cladec.method;

import java.util.Arrays;
import org.cladec.engine.autograd.NoGrad;
import org.cladec.engine.nn.Module;
import org.cladec.engine.ops.F;
import org.cladec.engine.optim.Adam;
import org.cladec.engine.optim.Sgd;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;
import org.cladec.engine.tensor.Workspace;
import org.cladec.model.Classifier;
import org.cladec.model.Decoder;
import org.cladec.model.LayerRef;
import org.cladec.model.RefAE;

/**
 * The four full-step workloads that measure the engine on ClaDec's real networks (used by {@code
 * cladec bench} and the JMH full-step benchmarks): one training step of the classifier, of a ClaDec
 * decoder for layer -1 with alpha 0.001 (decoder forward, frozen classifier forward and backward
 * into the reconstruction), of the reference autoencoder for layer -1, and classifier inference.
 * Random inputs of shape (B, C, 32, 32); buffers come from one workspace, so a steady step
 * allocates no tensor storage.
 */
public final class Workloads {
    /** The workload names, as printed by {@code cladec bench}. */
    public static final String[] NAMES = {
        "classifier_train", "cladec_train", "refae_train", "classifier_infer"
    };

    private final Tensor x;
    private final int[] y;
    private final Classifier classifier;
    private final Decoder decoder;
    private final RefAE refAE;
    private final LayerRef layer;
    private final Sgd classifierOpt;
    private final Adam decoderOpt, refAEOpt;
    private final Workspace ws = new Workspace();
    private final float alpha = 0.001f;

    /** Random inputs and fresh networks of the given shape, drawn from {@code seed}. */
    public Workloads(int batch, int channels, int classes, float width, long seed) {
        Rng rng = new Rng(seed);
        x = Tensor.uniform(rng, 0, 1, batch, channels, Classifier.INPUT, Classifier.INPUT);
        y = new int[batch];
        for (int i = 0; i < batch; i++) y[i] = rng.nextInt(classes);
        classifier = Classifier.create(channels, classes, width, rng);
        layer = classifier.layer("-1");
        decoder = Decoder.forLayer(layer, channels, width, rng);
        refAE = new RefAE(channels, classes, width, layer, rng);
        classifierOpt = new Sgd(classifier.parameters(), 0.01f, 0.9f, 0f, 1e-4f, false);
        decoderOpt = new Adam(decoder.parameters(), 3e-4f, 1e-5f);
        refAEOpt = new Adam(refAE.parameters(), 3e-4f, 1e-5f);
    }

    /** Images per step. */
    public int batch() {
        return y.length;
    }

    /** Runs one step of workload {@code name}; returns the loss (or a logit, for inference). */
    public float step(String name) {
        return switch (name) {
            case "classifier_train" -> classifierTrain();
            case "cladec_train" -> claDecTrain();
            case "refae_train" -> refAETrain();
            case "classifier_infer" -> classifierInfer();
            default -> throw unknown(name);
        };
    }

    /** The networks workload {@code name} trains (the classifier, for inference). */
    public Module trained(String name) {
        check(name);
        return switch (name) {
            case "cladec_train" -> decoder;
            case "refae_train" -> refAE;
            default -> classifier;
        };
    }

    /** Throws IllegalArgumentException, listing {@link #NAMES}, unless name is one of them. */
    public static void check(String name) {
        if (!Arrays.asList(NAMES).contains(name)) throw unknown(name);
    }

    private static IllegalArgumentException unknown(String name) {
        return new IllegalArgumentException(
                "unknown workload '" + name + "'; expected one of " + String.join(", ", NAMES));
    }

    /** One SGD step of the classifier; returns the loss. */
    public float classifierTrain() {
        classifier.train(true);
        classifier.setRequiresGrad(true);
        classifierOpt.zeroGrad();
        float l;
        try (Workspace.Scope s = ws.open()) {
            Tensor loss = F.crossEntropy(classifier.forward(x), y);
            loss.backward();
            l = loss.item();
        }
        classifierOpt.step();
        return l;
    }

    /**
     * One Adam step of the ClaDec decoder for layer -1 (alpha 0.001) through the frozen classifier;
     * returns the loss.
     */
    public float claDecTrain() {
        classifier.eval();
        classifier.setRequiresGrad(false);
        decoder.train(true);
        decoderOpt.zeroGrad();
        float l;
        try (Workspace.Scope s = ws.open()) {
            Tensor act;
            try (NoGrad g = NoGrad.enter()) {
                act = classifier.forwardTo(x, layer);
            }
            Tensor rec = decoder.forward(act);
            Tensor loss =
                    F.add(
                            F.mul(F.mse(rec, x), 1 - alpha),
                            F.mul(F.crossEntropy(classifier.forward(rec), y), alpha));
            loss.backward();
            l = loss.item();
        }
        decoderOpt.step();
        return l;
    }

    /** One Adam step of the reference autoencoder for layer -1; returns the loss. */
    public float refAETrain() {
        refAE.train(true);
        refAEOpt.zeroGrad();
        float l;
        try (Workspace.Scope s = ws.open()) {
            Tensor loss = F.mse(refAE.forward(x), x);
            loss.backward();
            l = loss.item();
        }
        refAEOpt.step();
        return l;
    }

    /** One inference pass of the classifier; returns a logit. */
    public float classifierInfer() {
        classifier.eval();
        try (Workspace.Scope s = ws.open();
                NoGrad g = NoGrad.enter()) {
            return classifier.forward(x).data()[0];
        }
    }
}
