package org.cladec.engine.kernels;

/**
 * Reference element-wise kernels: one plain loop each. Transcendental functions use {@code
 * StrictMath} so a result never depends on which JIT tier ran it (checkpoint resume is bit-exact).
 */
public final class ScalarElementwiseKernels implements ElementwiseKernels {

    @Override
    public void binary(
            Binary op,
            float[] out,
            float[] a,
            int aOff,
            int[] aStrides,
            float[] b,
            int bOff,
            int[] bStrides,
            int[] shape) {
        int r = shape.length;
        int n = 1;
        for (int d : shape) n *= d;
        if (n == 0) return;
        if (r == 0) {
            out[0] = apply(op, a[aOff], b[bOff]);
            return;
        }
        // Walk the outer dimensions with an odometer; run the last dimension as a tight loop.
        int[] idx = new int[r];
        int last = r - 1, len = shape[last], sa = aStrides[last], sb = bStrides[last];
        for (int p = 0; p < n; ) {
            int ia = aOff, ib = bOff;
            for (int i = 0; i < last; i++) {
                ia += idx[i] * aStrides[i];
                ib += idx[i] * bStrides[i];
            }
            switch (op) {
                case ADD -> {
                    for (int j = 0; j < len; j++) out[p + j] = a[ia + j * sa] + b[ib + j * sb];
                }
                case SUB -> {
                    for (int j = 0; j < len; j++) out[p + j] = a[ia + j * sa] - b[ib + j * sb];
                }
                case MUL -> {
                    for (int j = 0; j < len; j++) out[p + j] = a[ia + j * sa] * b[ib + j * sb];
                }
                case DIV -> {
                    for (int j = 0; j < len; j++) out[p + j] = a[ia + j * sa] / b[ib + j * sb];
                }
            }
            p += len;
            for (int i = last - 1; i >= 0; i--) {
                if (++idx[i] < shape[i]) break;
                idx[i] = 0;
            }
        }
    }

    private static float apply(Binary op, float x, float y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
        };
    }

    @Override
    public void reduceAcc(float[] dst, int[] dstStrides, float[] src, int[] shape) {
        int r = shape.length;
        int n = 1;
        for (int d : shape) n *= d;
        if (n == 0) return;
        if (r == 0) {
            dst[0] += src[0];
            return;
        }
        int[] idx = new int[r];
        int last = r - 1, len = shape[last], sd = dstStrides[last];
        for (int p = 0; p < n; ) {
            int id = 0;
            for (int i = 0; i < last; i++) id += idx[i] * dstStrides[i];
            if (sd == 0) {
                float s = 0f;
                for (int j = 0; j < len; j++) s += src[p + j];
                dst[id] += s;
            } else {
                for (int j = 0; j < len; j++) dst[id + j * sd] += src[p + j];
            }
            p += len;
            for (int i = last - 1; i >= 0; i--) {
                if (++idx[i] < shape[i]) break;
                idx[i] = 0;
            }
        }
    }

    @Override
    public void scale(float[] out, float[] a, float s, int n) {
        for (int i = 0; i < n; i++) out[i] = a[i] * s;
    }

    @Override
    public void axpy(float[] y, float alpha, float[] x, int n) {
        for (int i = 0; i < n; i++) y[i] += alpha * x[i];
    }

    @Override
    public double sum(float[] x, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += x[i];
        return s;
    }

    @Override
    public void channelSumAcc(float[] db, float[] x, int N, int C, int HW, int cLo, int cHi) {
        for (int c = cLo; c < cHi; c++) {
            double s = 0; // N·HW terms: a float sum drifted by 4e-5 of the total over 68K of them
            for (int n = 0; n < N; n++) {
                int base = (n * C + c) * HW;
                for (int i = 0; i < HW; i++) s += x[base + i];
            }
            db[c] += (float) s;
        }
    }

    @Override
    public void channelAdd(float[] x, float[] b, int N, int C, int HW, int nLo, int nHi) {
        for (int n = nLo; n < nHi; n++) {
            for (int c = 0; c < C; c++) {
                int base = (n * C + c) * HW;
                float bc = b[c];
                for (int i = 0; i < HW; i++) x[base + i] += bc;
            }
        }
    }

    @Override
    public void relu(float[] out, float[] x, int lo, int hi) {
        for (int i = lo; i < hi; i++) out[i] = relu(x[i]);
    }

    /**
     * {@code max(v, 0)} as PyTorch's relu: NaN kept, −0 becomes +0 (Math.max's semantics, which the
     * SIMD kernels get from the Vector API's MAX). Every ReLU tail and reference uses it.
     */
    public static float relu(float v) {
        return v > 0f || v != v ? v : 0f;
    }

    @Override
    public void reluBackwardAcc(float[] dx, float[] dOut, float[] out, int lo, int hi) {
        for (int i = lo; i < hi; i++) if (out[i] > 0f) dx[i] += dOut[i];
    }

    @Override
    public void leakyRelu(float[] out, float[] x, float slope, int lo, int hi) {
        for (int i = lo; i < hi; i++) out[i] = x[i] > 0f ? x[i] : slope * x[i];
    }

    @Override
    public void leakyReluBackwardAcc(
            float[] dx, float[] dOut, float[] x, float slope, int lo, int hi) {
        for (int i = lo; i < hi; i++) dx[i] += x[i] > 0f ? dOut[i] : slope * dOut[i];
    }

    @Override
    public void sigmoid(float[] out, float[] x, int lo, int hi) {
        for (int i = lo; i < hi; i++) out[i] = sigmoid(x[i]);
    }

    /** Numerically stable logistic function: never evaluates e^t for large positive t. */
    static float sigmoid(float v) {
        if (v >= 0f) return (float) (1.0 / (1.0 + StrictMath.exp(-v)));
        double e = StrictMath.exp(v);
        return (float) (e / (1.0 + e));
    }

    @Override
    public void sigmoidBackwardAcc(float[] dx, float[] dOut, float[] out, int lo, int hi) {
        for (int i = lo; i < hi; i++) dx[i] += dOut[i] * out[i] * (1f - out[i]);
    }

    @Override
    public void tanh(float[] out, float[] x, int lo, int hi) {
        for (int i = lo; i < hi; i++) out[i] = (float) StrictMath.tanh(x[i]);
    }

    @Override
    public void tanhBackwardAcc(float[] dx, float[] dOut, float[] out, int lo, int hi) {
        for (int i = lo; i < hi; i++) dx[i] += dOut[i] * (1f - out[i] * out[i]);
    }

    @Override
    public void mul(float[] out, float[] x, float[] mask, int lo, int hi) {
        for (int i = lo; i < hi; i++) out[i] = x[i] * mask[i];
    }

    @Override
    public void mulAcc(float[] dx, float[] dOut, float[] mask, int n) {
        for (int i = 0; i < n; i++) dx[i] += dOut[i] * mask[i];
    }
}
