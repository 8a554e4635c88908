package org.cladec.datasets;

import java.util.ArrayList;
import java.util.List;

/** Class names of the datasets the paper and the reference code use. */
public final class KnownDatasets {
    private KnownDatasets() {}

    /** Fashion-MNIST's ten classes, in label order. */
    public static final List<String> FASHION_MNIST =
            List.of(
                    "T-shirt/top",
                    "Trouser",
                    "Pullover",
                    "Dress",
                    "Coat",
                    "Sandal",
                    "Shirt",
                    "Sneaker",
                    "Bag",
                    "Ankle boot");

    /** MNIST's digits. */
    public static final List<String> MNIST =
            List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    /** CIFAR-10's classes, in label order (as in batches.meta.txt). */
    public static final List<String> CIFAR10 =
            List.of(
                    "airplane",
                    "automobile",
                    "bird",
                    "cat",
                    "deer",
                    "dog",
                    "frog",
                    "horse",
                    "ship",
                    "truck");

    /** Generic names {@code class 0 .. class k−1} for data without names. */
    public static List<String> generic(int k) {
        List<String> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) out.add("class " + i);
        return out;
    }
}
