package org.cladec.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Map;
import org.cladec.engine.parallel.Parallel;
import org.cladec.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The three training workloads give one thread's parameters bit for bit on the pool, step after
 * step, at the small and odd batch sizes where a split has the fewest images to cut (a conv input
 * gradient on 2-5 images once differed). On a machine of one core both runs take one thread.
 */
class ThreadCountTest {
    @Test
    void smallBatchesTrainAlikeOnOneThreadAndOnThePool() {
        for (String name : new String[] {"classifier_train", "cladec_train", "refae_train"}) {
            for (int batch : new int[] {2, 3, 5, 7, 9}) {
                Workloads one = new Workloads(batch, 1, 10, 0.25f, 5),
                        pooled = new Workloads(batch, 1, 10, 0.25f, 5);
                for (int step = 0; step < 3; step++) {
                    Parallel.serially(() -> one.step(name));
                    pooled.step(name);
                    Map<String, Tensor> a = one.trained(name).namedParameters(),
                            b = pooled.trained(name).namedParameters();
                    for (Map.Entry<String, Tensor> e : a.entrySet())
                        assertArrayEquals(
                                e.getValue().toArray(),
                                b.get(e.getKey()).toArray(),
                                name + ", batch " + batch + ", step " + step + ": " + e.getKey());
                }
            }
        }
    }
}
