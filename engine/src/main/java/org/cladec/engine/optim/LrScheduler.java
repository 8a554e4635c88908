package org.cladec.engine.optim;

/**
 * Sets an optimizer's learning rate per epoch. Call {@link #step()} once at the end of each epoch,
 * as with PyTorch schedulers.
 */
public abstract class LrScheduler {
    protected final Optimizer optimizer;
    protected final float baseLr;
    protected int epoch;

    protected LrScheduler(Optimizer optimizer) {
        this.optimizer = optimizer;
        this.baseLr = optimizer.lr();
    }

    /** Advances one epoch and sets the learning rate for the next. */
    public void step() {
        epoch++;
        optimizer.setLr(lrAt(epoch));
    }

    /** Completed epochs. */
    public int epoch() {
        return epoch;
    }

    /** Jumps to {@code epoch} (resume) and sets the matching learning rate. */
    public void setEpoch(int epoch) {
        this.epoch = epoch;
        optimizer.setLr(lrAt(epoch));
    }

    /** The learning rate after {@code epoch} completed epochs. */
    public abstract float lrAt(int epoch);

    /** {@code torch.optim.lr_scheduler.StepLR}: {@code lr = base·gamma^floor(epoch/stepSize)}. */
    public static LrScheduler stepDecay(Optimizer opt, int stepSize, float gamma) {
        if (stepSize <= 0)
            throw new IllegalArgumentException(
                    "stepDecay: step size must be positive, but got " + stepSize);
        return new LrScheduler(opt) {
            @Override
            public float lrAt(int e) {
                return (float) (baseLr * StrictMath.pow(gamma, e / stepSize));
            }
        };
    }

    /**
     * {@code torch.optim.lr_scheduler.CosineAnnealingLR} (closed form): {@code lr = etaMin + (base
     * − etaMin)·(1 + cos(π·epoch/tMax))/2}.
     */
    public static LrScheduler cosine(Optimizer opt, int tMax, float etaMin) {
        if (tMax <= 0)
            throw new IllegalArgumentException("cosine: tMax must be positive, but got " + tMax);
        return new LrScheduler(opt) {
            @Override
            public float lrAt(int e) {
                return (float)
                        (etaMin
                                + (baseLr - etaMin)
                                        * (1 + StrictMath.cos(Math.PI * Math.min(e, tMax) / tMax))
                                        / 2);
            }
        };
    }
}
