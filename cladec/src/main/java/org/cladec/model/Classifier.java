package org.cladec.model;

import java.util.ArrayList;
import java.util.List;
import org.cladec.engine.nn.BatchNorm;
import org.cladec.engine.nn.Conv2d;
import org.cladec.engine.nn.Dropout;
import org.cladec.engine.nn.Linear;
import org.cladec.engine.nn.Module;
import org.cladec.engine.nn.Sequential;
import org.cladec.engine.ops.F;
import org.cladec.engine.tensor.Rng;
import org.cladec.engine.tensor.Tensor;

/**
 * The reference VGG-style classifier for 32x32 inputs with C channels: 8 blocks of Conv2d(3x3,
 * padding 1, no bias) + BatchNorm2d + ReLU with channels C→32→64→128→128→256→256→512→512 and
 * strides 2,2,1,2,1,2,1,2 (spatial 32→16→8→8→4→4→2→2→1), then flatten, Dropout(0.5), Linear(512 →
 * classes). A width multiplier w makes every conv width {@code max(1, round(w·c))}.
 *
 * <p>Parameter names are those of the equivalent PyTorch module (see docs/pytorch-interop.md):
 * {@code blocks.{i}.conv.weight}, {@code
 * blocks.{i}.bn.weight|bias|running_mean|running_var|num_batches_tracked}, {@code
 * pred.weight|bias}.
 *
 * <p>The same class also serves as the reference autoencoder's encoder: {@link #encoder} builds
 * only the blocks (and head) needed to reach a layer, with fresh weights.
 */
public final class Classifier extends Module {
    /** Conv widths of the reference architecture (width multiplier 1). */
    public static final int[] WIDTHS = {32, 64, 128, 128, 256, 256, 512, 512};

    /** Strides of the 8 blocks. */
    public static final int[] STRIDES = {2, 2, 1, 2, 1, 2, 1, 2};

    /** Input height and width. */
    public static final int INPUT = 32;

    private final int channels, classes, blockCount;
    private final float width;
    private final Sequential blocks;
    private final Dropout drop;
    private final Linear pred;

    /** One block: conv (no bias), batch norm, ReLU. */
    public static final class Block extends Module {
        private final Conv2d conv;
        private final BatchNorm bn;

        Block(int in, int out, int stride, Rng rng) {
            conv = registerModule("conv", conv(in, out, stride, rng));
            bn = registerModule("bn", BatchNorm.of2d(out));
        }

        /** A block's convolution: 3 × 3, padding 1, no bias (the batch norm after it shifts). */
        public static Conv2d conv(int in, int out, int stride, Rng rng) {
            return Conv2d.builder()
                    .setIn(in)
                    .setOut(out)
                    .setKernel(3)
                    .optStride(stride)
                    .optPadding(1)
                    .optBias(false)
                    .build(rng);
        }

        @Override
        public Tensor forward(Tensor x) {
            return bn.forwardRelu(conv, x);
        }

        @Override
        public int[] outputShape(int[] s) {
            return bn.outputShape(conv.outputShape(s));
        }
    }

    private Classifier(
            int channels, int classes, float width, int blockCount, boolean head, Rng rng) {
        if (channels <= 0 || classes <= 1)
            throw new IllegalArgumentException(
                    "Classifier: need channels >= 1 and classes >= 2, but got "
                            + channels
                            + ", "
                            + classes);
        if (!(width > 0) || width > 16)
            throw new IllegalArgumentException(
                    "Classifier: width multiplier must be in (0, 16], but got " + width);
        this.channels = channels;
        this.classes = classes;
        this.width = width;
        this.blockCount = blockCount;
        this.blocks = registerModule("blocks", new Sequential());
        int in = channels;
        for (int i = 0; i < blockCount; i++) {
            int out = width(WIDTHS[i], width);
            blocks.add(new Block(in, out, STRIDES[i], rng));
            in = out;
        }
        this.drop = head ? registerModule("drop", new Dropout(0.5f, rng.fork())) : null;
        this.pred = head ? registerModule("pred", Linear.of(in, classes, rng)) : null;
    }

    /** A classifier with fresh PyTorch-default weights drawn from {@code rng}. */
    public static Classifier create(int channels, int classes, float width, Rng rng) {
        return new Classifier(channels, classes, width, 8, true, rng);
    }

    /**
     * The encoder of a reference autoencoder for {@code layer}: the same architecture up to that
     * layer, fresh weights.
     */
    public static Classifier encoder(
            int channels, int classes, float width, LayerRef layer, Rng rng) {
        return new Classifier(channels, classes, width, layer.blocks(), layer.isLogits(), rng);
    }

    /** {@code max(1, round(w·c))}. */
    public static int width(int c, float w) {
        return Math.max(1, Math.round(w * c));
    }

    /** Input channels. */
    public int channels() {
        return channels;
    }

    /** Number of classes. */
    public int classes() {
        return classes;
    }

    /** The width multiplier (1 = the reference architecture). */
    public float widthMultiplier() {
        return width;
    }

    /**
     * Logits (N, classes) for images (N, C, 32, 32); for an encoder, the activations of its last
     * layer.
     */
    @Override
    public Tensor forward(Tensor x) {
        Tensor h = blocks.forward(x);
        if (pred == null) return h;
        return pred.forward(drop.forward(F.flatten(h)));
    }

    /**
     * The logits from the activations {@code act} of {@code layer}: the rest of the network, so
     * that {@code forwardFrom(forwardTo(x, l), l) == forward(x)}. Grad-CAM differentiates through
     * it.
     */
    public Tensor forwardFrom(Tensor act, LayerRef layer) {
        if (pred == null || blockCount < 8)
            throw new IllegalArgumentException("forwardFrom needs the full classifier");
        if (layer.isLogits()) return act;
        Tensor h = blocks.forward(act, layer.blocks(), 8);
        return pred.forward(drop.forward(F.flatten(h)));
    }

    /**
     * The activations of {@code layer} for images x: (N, c, h, w) for a block, (N, classes) for the
     * logits.
     */
    public Tensor forwardTo(Tensor x, LayerRef layer) {
        if (layer.isLogits()) {
            if (pred == null)
                throw new IllegalArgumentException("this encoder has no logits layer");
            return forward(x);
        }
        if (layer.blocks() > blockCount)
            throw new IllegalArgumentException(
                    "layer "
                            + layer.name()
                            + " is beyond this encoder's "
                            + blockCount
                            + " blocks");
        return blocks.forward(x, 0, layer.blocks());
    }

    @Override
    public int[] outputShape(int[] s) {
        expectShape(s, "Classifier", -1, channels, INPUT, INPUT);
        int[] h = blocks.outputShape(s);
        return pred == null ? h : new int[] {s[0], classes};
    }

    /** The layers this classifier can explain, from the output back: -1 (logits), -2, ..., -9. */
    public List<LayerRef> layers() {
        List<LayerRef> out = new ArrayList<>();
        out.add(LayerRef.logits(classes));
        int[] shape = {1, channels, INPUT, INPUT};
        int[][] shapes = new int[8][];
        for (int i = 0; i < 8; i++) shapes[i] = shape = blocks.get(i).outputShape(shape);
        for (int i = 7; i >= 0; i--)
            out.add(LayerRef.block(i, shapes[i][1], shapes[i][2], shapes[i][3]));
        return out;
    }

    /**
     * The layer called {@code spec}: an index from the output ("-1", "-2", ...) or a name
     * ("logits", "blocks.7").
     */
    public LayerRef layer(String spec) {
        return LayerRef.find(layers(), spec);
    }
}
