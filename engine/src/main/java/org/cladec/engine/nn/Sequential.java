package org.cladec.engine.nn;

import java.util.ArrayList;
import java.util.List;
import org.cladec.engine.tensor.Tensor;

/**
 * Modules applied in order, named {@code "0"}, {@code "1"}, ... unless given names, as {@code
 * torch.nn.Sequential}; parameter names are prefixed accordingly ({@code 0.weight}).
 */
public final class Sequential extends Module {
    private final List<Module> layers = new ArrayList<>();

    /** The modules in order, named "0", "1", ... */
    public Sequential(Module... modules) {
        for (Module m : modules) add(m);
    }

    /** Appends a module named by its index. */
    public Sequential add(Module m) {
        return add(String.valueOf(layers.size()), m);
    }

    /** Appends a module under {@code name}. */
    public Sequential add(String name, Module m) {
        registerModule(name, m);
        layers.add(m);
        return this;
    }

    /** Number of modules. */
    public int size() {
        return layers.size();
    }

    /** The module at {@code index}. */
    public Module get(int index) {
        return layers.get(index);
    }

    @Override
    public Tensor forward(Tensor x) {
        for (Module m : layers) x = m.forward(x);
        return x;
    }

    /** Runs modules {@code [from, to)} only. */
    public Tensor forward(Tensor x, int from, int to) {
        for (int i = from; i < to; i++) x = layers.get(i).forward(x);
        return x;
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        int[] s = inputShape;
        for (Module m : layers) s = m.outputShape(s);
        return s;
    }
}
