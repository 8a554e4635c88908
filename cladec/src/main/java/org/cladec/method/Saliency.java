package org.cladec.method;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.cladec.datasets.Resize;
import org.cladec.engine.autograd.NoGrad;
import org.cladec.engine.ops.F;
import org.cladec.engine.tensor.Tensor;
import org.cladec.model.Classifier;
import org.cladec.model.LayerRef;

/**
 * Two classic explanations to show beside ClaDec, computed with the engine's autograd:
 *
 * <ul>
 *   <li>gradient saliency: {@code |∂ logit_y / ∂ x|}, the largest over channels, per pixel;
 *   <li>Grad-CAM (Selvaraju et al. 2017) at a conv layer with activations A (N, K, h, w): {@code
 *       α_k = mean_{i,j} ∂ logit_y / ∂ A_k[i, j]}, {@code cam = ReLU(Σ_k α_k A_k)}, resized
 *       bilinearly to the input size.
 * </ul>
 *
 * The general forms take any differentiable function; the classifier forms set evaluation mode and
 * keep its weights' gradients untouched.
 */
public final class Saliency {
    private Saliency() {}

    /**
     * {@code Σ_n logits[n, classes[n]]}: backpropagating it gives each image its own class
     * gradient.
     */
    private static Tensor selected(Tensor logits, int[] classes) {
        int n = logits.shape(0), k = logits.shape(1);
        Tensor onehot = Tensor.zeros(n, k);
        for (int i = 0; i < n; i++) onehot.data()[i * k + classes[i]] = 1f;
        return F.sum(F.mul(logits, onehot));
    }

    /**
     * {@code |∂ model(x)[n, classes[n]] / ∂ x|} (N, C, H, W) for any differentiable {@code model}.
     */
    public static Tensor gradient(UnaryOperator<Tensor> model, Tensor x, int[] classes) {
        Tensor in = x.copy().setRequiresGrad(true);
        selected(model.apply(in), classes).backward();
        Tensor g = in.grad().copy();
        float[] d = g.data();
        for (int i = 0; i < g.size(); i++) d[i] = Math.abs(d[i]);
        return g;
    }

    /**
     * Gradient saliency of the classifier, (N, H, W): the largest {@code |∂ logit_y / ∂ x|} over
     * channels.
     */
    public static Tensor gradient(Classifier c, Tensor x, int[] classes) {
        return frozen(c, () -> maxOverChannels(gradient(c::forward, x, classes)));
    }

    /**
     * Grad-CAM maps (N, h, w) from activations (N, K, h, w) and the function {@code head} that maps
     * them to logits.
     */
    public static Tensor gradCam(UnaryOperator<Tensor> head, Tensor activations, int[] classes) {
        Tensor a = activations.copy().setRequiresGrad(true);
        selected(head.apply(a), classes).backward();
        int n = a.shape(0), k = a.shape(1), hw = a.shape(2) * a.shape(3);
        float[] g = a.grad().data(), av = a.data();
        Tensor cam = Tensor.zeros(n, a.shape(2), a.shape(3));
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < k; c++) {
                int base = (i * k + c) * hw;
                double alpha = 0;
                for (int p = 0; p < hw; p++) alpha += g[base + p];
                alpha /= hw;
                for (int p = 0; p < hw; p++)
                    cam.data()[i * hw + p] += (float) (alpha * av[base + p]);
            }
            for (int p = 0; p < hw; p++)
                cam.data()[i * hw + p] = Math.max(0f, cam.data()[i * hw + p]);
        }
        return cam;
    }

    /**
     * Grad-CAM of the classifier at {@code layer} (a conv block), resized to the input: (N, 32,
     * 32).
     */
    public static Tensor gradCam(Classifier c, Tensor x, int[] classes, LayerRef layer) {
        if (layer.isLogits())
            throw new IllegalArgumentException("Grad-CAM needs a conv layer, not the logits");
        return frozen(
                c,
                () -> {
                    Tensor act;
                    try (NoGrad g = NoGrad.enter()) {
                        act = c.forwardTo(x, layer).copy();
                    }
                    Tensor cam = gradCam(a -> c.forwardFrom(a, layer), act, classes);
                    int n = cam.shape(0), h = cam.shape(1), w = cam.shape(2), S = Classifier.INPUT;
                    Tensor up = Tensor.zeros(n, S, S);
                    for (int i = 0; i < n; i++)
                        Resize.resize(
                                Resize.Mode.BILINEAR,
                                cam.data(),
                                i * h * w,
                                1,
                                h,
                                w,
                                up.data(),
                                i * S * S,
                                S,
                                S);
                    return up;
                });
    }

    /**
     * The deepest conv layer whose maps are larger than 1x1 (where Grad-CAM still has a spatial
     * layout).
     */
    public static LayerRef lastSpatialLayer(Classifier c) {
        for (LayerRef l : c.layers()) if (!l.isLogits() && l.spatial() > 1) return l;
        throw new IllegalStateException("no conv layer with spatial size > 1");
    }

    private static Tensor maxOverChannels(Tensor g) {
        int n = g.shape(0), ch = g.shape(1), hw = g.shape(2) * g.shape(3);
        Tensor out = Tensor.zeros(n, g.shape(2), g.shape(3));
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < ch; c++) {
                for (int p = 0; p < hw; p++)
                    out.data()[i * hw + p] =
                            Math.max(out.data()[i * hw + p], g.data()[(i * ch + c) * hw + p]);
            }
        }
        return out;
    }

    private static Tensor frozen(Classifier c, java.util.function.Supplier<Tensor> f) {
        List<Boolean> wanted = new ArrayList<>();
        for (Tensor p : c.parameters()) wanted.add(p.requiresGrad());
        c.eval();
        c.setRequiresGrad(false);
        try {
            return f.get();
        } finally {
            List<Tensor> ps = c.parameters();
            for (int i = 0; i < ps.size(); i++) ps.get(i).setRequiresGrad(wanted.get(i));
        }
    }
}
