package org.cladec.model;

import org.cladec.engine.nn.Conv2d;
import org.cladec.engine.nn.ConvTranspose2d;
import org.cladec.engine.nn.Identity;
import org.cladec.engine.nn.Linear;
import org.cladec.engine.nn.Module;
import org.cladec.engine.nn.ReLU;
import org.cladec.engine.nn.Sequential;
import org.cladec.engine.ops.F;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;

/**
 * The ClaDec decoder (also the reference autoencoder's decoder): rebuilds a (C, 32, 32) image from
 * the activations of one layer, shape (c, h, w) or a vector.
 *
 * <ul>
 *   <li>Spatial size 1 (a vector, the logits, or 1x1 maps): {@code fc = Linear(n → max(n, B)) +
 *       ReLU}, reshaped to (max(n, B), 1, 1). Otherwise {@code fc = Conv2d(c → c, 3x3, padding 1) +
 *       ReLU}.
 *   <li>{@code deconv}: ConvTranspose2d(kernel 4, stride 2, padding 1) layers, each doubling the
 *       spatial size, with B·2^L, ..., 2B, B channels and ReLU after each, where L =
 *       round(log2(32/s) − 2) for spatial size s; then a last ConvTranspose2d to C channels.
 *   <li>A sigmoid, so pixels are in (0, 1).
 * </ul>
 *
 * B is 64 times the classifier's width multiplier. For the logits of a 10-class classifier at full
 * width: 10 → 64 → 512 → 256 → 128 → 64 → C at 1, 2, 4, 8, 16, 32. Names follow the authors'
 * reference {@code ClaDecNet} ({@code fc.0.weight}, {@code deconv.0.weight}, {@code
 * deconv.3.weight}, ...), whose unused batch-norm slots are {@link Identity} here. For s = 16,
 * where the reference has no layout, L = −1 leaves only the last transposed convolution.
 */
public final class Decoder extends Module {
    private final int[] inShape;
    private final int fcOut, imageChannels;
    private final boolean dense;
    private final Sequential fc, deconv;

    /**
     * A decoder for activations of one image shaped {@code inShape} ((c, h, w) or (n)) to images
     * with {@code imageChannels} channels, base width {@code B}.
     */
    public Decoder(int[] inShape, int imageChannels, int base, Rng rng) {
        if (inShape.length != 1 && inShape.length != 3)
            throw new IllegalArgumentException(
                    "Decoder: expected an activation shape (c, h, w) or (n), but got rank "
                            + inShape.length);
        if (inShape.length == 3 && inShape[1] != inShape[2])
            throw new IllegalArgumentException(
                    "Decoder: activations must be square, but got "
                            + inShape[1]
                            + "x"
                            + inShape[2]);
        int s = inShape.length == 3 ? inShape[1] : 1;
        if (s > 16 || Integer.bitCount(s) != 1)
            throw new IllegalArgumentException(
                    "Decoder: spatial size must be 1, 2, 4, 8 or 16, but got " + s);
        this.inShape = inShape.clone();
        this.imageChannels = imageChannels;
        int n = 1;
        for (int d : inShape) n *= d;
        this.dense = s == 1;
        this.fcOut = dense ? Math.max(n, base) : inShape[0];
        this.fc = registerModule("fc", new Sequential());
        if (dense) fc.add(Linear.of(n, fcOut, rng));
        else
            fc.add(
                    Conv2d.builder()
                            .setIn(inShape[0])
                            .setOut(inShape[0])
                            .setKernel(3)
                            .optPadding(1)
                            .build(rng));
        fc.add(new ReLU());
        this.deconv = registerModule("deconv", new Sequential());
        int L = (int) Math.round(Math.log(32.0 / s) / Math.log(2) - 2);
        int in = fcOut;
        for (int l = L; l >= 0; l--) {
            int out = base << l;
            deconv.add(up(in, out, rng)).add(new Identity()).add(new ReLU());
            in = out;
        }
        deconv.add(up(in, imageChannels, rng));
    }

    private static ConvTranspose2d up(int in, int out, Rng rng) {
        return ConvTranspose2d.builder()
                .setIn(in)
                .setOut(out)
                .setKernel(4)
                .optStride(2)
                .optPadding(1)
                .build(rng);
    }

    /** Base width B for a classifier width multiplier: {@code max(1, round(64·w))}. */
    public static int base(float widthMultiplier) {
        return Math.max(1, Math.round(64 * widthMultiplier));
    }

    /** A decoder for {@code layer} of {@code classifier}'s architecture. */
    public static Decoder forLayer(
            LayerRef layer, int imageChannels, float widthMultiplier, Rng rng) {
        return new Decoder(layer.shape(), imageChannels, base(widthMultiplier), rng);
    }

    @Override
    public Tensor forward(Tensor act) {
        Tensor h = act;
        if (dense) {
            h = fc.forward(F.flatten(h));
            h = F.reshape(h, h.shape(0), fcOut, 1, 1);
        } else {
            h = fc.forward(h);
        }
        return F.sigmoid(deconv.forward(h));
    }

    @Override
    public int[] outputShape(int[] s) {
        int[] want = new int[inShape.length + 1];
        want[0] = -1;
        System.arraycopy(inShape, 0, want, 1, inShape.length);
        expectShape(s, "Decoder", want);
        return new int[] {s[0], imageChannels, Classifier.INPUT, Classifier.INPUT};
    }
}
