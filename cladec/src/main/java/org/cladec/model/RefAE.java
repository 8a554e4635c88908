package org.cladec.model;

import org.cladec.engine.nn.Module;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;

/**
 * The reference autoencoder for one layer: an encoder with the classifier's architecture up to that
 * layer (fresh weights, trained, not frozen) and a decoder identical to ClaDec's, trained jointly
 * on reconstruction error alone. What it reconstructs shows what any decoder can recover from a
 * layer of that shape; contrasted with ClaDec it isolates what the classifier chose to keep.
 */
public final class RefAE extends Module {
    private final LayerRef layer;
    private final Classifier encoder;
    private final Decoder decoder;

    /** A fresh encoder up to {@code layer} and a decoder for it, weights drawn from {@code rng}. */
    public RefAE(int channels, int classes, float width, LayerRef layer, Rng rng) {
        this.layer = layer;
        this.encoder =
                registerModule("encoder", Classifier.encoder(channels, classes, width, layer, rng));
        this.decoder = registerModule("decoder", Decoder.forLayer(layer, channels, width, rng));
    }

    /** The layer whose shape the encoder ends in. */
    public LayerRef layer() {
        return layer;
    }

    /** The encoder (the classifier's blocks up to the layer, trained with the decoder). */
    public Classifier encoder() {
        return encoder;
    }

    /** The decoder. */
    public Decoder decoder() {
        return decoder;
    }

    /** Reconstructs images (N, C, 32, 32). */
    @Override
    public Tensor forward(Tensor x) {
        return decoder.forward(encoder.forwardTo(x, layer));
    }

    @Override
    public int[] outputShape(int[] s) {
        return s.clone();
    }
}
