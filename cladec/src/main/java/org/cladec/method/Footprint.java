package org.cladec.method;

import java.util.List;
import java.util.Locale;
import org.cladec.model.Classifier;
import org.cladec.model.Decoder;

/**
 * A rough upper estimate of the heap a training step needs, computed from the configuration alone
 * (before any model is built) and checked before training starts, so that a batch size or width
 * that cannot fit fails at once with a message instead of an OutOfMemoryError deep inside a kernel.
 * Activations are counted four times (output, saved input, gradient, scratch), parameters four
 * times (weights, gradients, two optimizer moments).
 */
public final class Footprint {
    private Footprint() {}

    /** Bytes of one training step of the classifier and, for each explained layer, its decoder. */
    public static long trainingBytes(
            int channels, int classes, float width, List<Integer> layerIndexes, int batch) {
        long params = 0, acts = (long) channels * Classifier.INPUT * Classifier.INPUT;
        int in = channels, s = Classifier.INPUT;
        long[] blockSize = new long[8];
        int[] blockChannels = new int[8], blockSpatial = new int[8];
        for (int i = 0; i < 8; i++) {
            int out = Classifier.width(Classifier.WIDTHS[i], width);
            s = (s + Classifier.STRIDES[i] - 1) / Classifier.STRIDES[i];
            params += 9L * in * out + 4L * out;
            blockSize[i] = (long) out * s * s;
            blockChannels[i] = out;
            blockSpatial[i] = s;
            acts += 3 * blockSize[i];
            in = out;
        }
        params += (long) in * classes + classes;
        long decoder = 0;
        int base = Decoder.base(width);
        for (int index : layerIndexes) {
            int c = index == -1 ? Math.max(classes, base) : blockChannels[10 + index - 1];
            int sp = index == -1 ? 1 : blockSpatial[10 + index - 1];
            long d = 0;
            if (sp == 1) c = Math.max(c, base);
            while (sp < Classifier.INPUT) {
                d += 2L * c * sp * sp;
                sp *= 2;
                c = Math.max(channels, c / 2);
            }
            decoder = Math.max(decoder, d + 2L * channels * Classifier.INPUT * Classifier.INPUT);
        }
        long perImage = acts + (decoder == 0 ? 0 : decoder + acts);
        return 4L * (4L * perImage * batch + 4L * 2 * params);
    }

    /**
     * Fails with an IllegalArgumentException when {@code bytes} exceed what the JVM may still
     * allocate.
     */
    public static void require(long bytes, String what) {
        Runtime rt = Runtime.getRuntime();
        long available = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (bytes > available) {
            throw new IllegalArgumentException(
                    String.format(
                            Locale.ROOT,
                            "%s needs about %.1f GB of memory, but the JVM can allocate only %.1f GB more (max heap %d MB); use a smaller"
                                    + " --batch-size or --width, or give java more memory with -Xmx",
                            what,
                            bytes / 1e9,
                            available / 1e9,
                            rt.maxMemory() >> 20));
        }
    }
}
