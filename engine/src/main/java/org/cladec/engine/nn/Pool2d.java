package org.cladec.engine.nn;

import org.cladec.engine.ops.F;
import org.cladec.engine.tensor.Tensor;

/**
 * Max or average pooling with a square window, as {@code torch.nn.MaxPool2d} and {@code AvgPool2d};
 * or global average pooling (each plane to 1x1, as {@code AdaptiveAvgPool2d(1)}).
 */
public final class Pool2d extends Module {
    private enum Kind {
        MAX,
        AVG,
        GLOBAL_AVG
    }

    private final Kind kind;
    private final int kernel, stride, padding;

    private Pool2d(Kind kind, int kernel, int stride, int padding) {
        this.kind = kind;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    /** MaxPool2d(kernel, stride, padding). */
    public static Pool2d max(int kernel, int stride, int padding) {
        return new Pool2d(Kind.MAX, kernel, stride, padding);
    }

    /** AvgPool2d(kernel, stride, padding). */
    public static Pool2d avg(int kernel, int stride, int padding) {
        return new Pool2d(Kind.AVG, kernel, stride, padding);
    }

    /** Global average pooling to (N, C, 1, 1). */
    public static Pool2d globalAvg() {
        return new Pool2d(Kind.GLOBAL_AVG, 0, 1, 0);
    }

    @Override
    public Tensor forward(Tensor x) {
        return switch (kind) {
            case MAX -> F.maxPool2d(x, kernel, stride, padding);
            case AVG -> F.avgPool2d(x, kernel, stride, padding);
            case GLOBAL_AVG -> F.globalAvgPool2d(x);
        };
    }

    @Override
    public int[] outputShape(int[] s) {
        expectShape(s, "Pool2d", -1, -1, -1, -1);
        if (kind == Kind.GLOBAL_AVG) return new int[] {s[0], s[1], 1, 1};
        return new int[] {
            s[0],
            s[1],
            Math.floorDiv(s[2] + 2 * padding - kernel, stride) + 1,
            Math.floorDiv(s[3] + 2 * padding - kernel, stride) + 1
        };
    }
}
