package org.cladec.method;

import java.util.ArrayList;
import java.util.List;

/** Per-epoch numbers of one training job (for metrics.json and the report's loss curves). */
public final class History {
    /** Mean training loss of each epoch. */
    public final List<Double> loss = new ArrayList<>();

    /** Held-out accuracy after each epoch, when measured. */
    public final List<Double> testAccuracy = new ArrayList<>();

    /** Wall time of the whole job, seconds. */
    public double seconds;

    /** Images per second over the whole job. */
    public double imagesPerSecond;
}
