package org.cladec.datasets;

import static org.cladec.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
    static ImageDataset small(int n) {
        byte[] px = new byte[n * 4 * 4];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (i / 16 * 3 + i % 16);
        return new ImageDataset(
                "small", n, 1, 4, 4, px, DataFiles.labels(n, 3), KnownDatasets.generic(3));
    }

    private static List<int[]> indices(DataLoader l, int epoch) {
        List<int[]> out = new ArrayList<>();
        for (Batch b : l.epoch(epoch)) out.add(b.indices().clone());
        return out;
    }

    @Test
    void shuffleIsAReproduciblePermutationPerEpoch() {
        DataLoader l = DataLoader.builder(small(23)).batchSize(5).shuffle(true, 42).build();
        int[] o0 = l.order(0), o1 = l.order(1);
        int[] sorted = o0.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 23; i++) assertEquals(i, sorted[i]);
        assertArrayEquals(
                o0, DataLoader.builder(small(23)).batchSize(5).shuffle(true, 42).build().order(0));
        assertFalse(Arrays.equals(o0, o1), "each epoch has its own order");
        int[] seen = new int[23];
        for (int[] b : indices(l, 0)) for (int i : b) seen[i]++;
        for (int s : seen) assertEquals(1, s);
    }

    @Test
    void batchSizesDropLastAndLabels() {
        DataLoader keep = DataLoader.builder(small(23)).batchSize(5).build();
        assertEquals(5, keep.batchesPerEpoch());
        List<Integer> sizes = new ArrayList<>();
        for (Batch b : keep.epoch(0)) {
            sizes.add(b.size());
            assertEquals(b.size(), b.images().shape(0));
            for (int k = 0; k < b.size(); k++) assertEquals(b.indices()[k] % 3, b.labels()[k]);
        }
        assertEquals(List.of(5, 5, 5, 5, 3), sizes);
        DataLoader drop = DataLoader.builder(small(23)).batchSize(5).dropLast(true).build();
        assertEquals(4, drop.batchesPerEpoch());
        assertEquals(20, drop.imagesPerEpoch());
    }

    @Test
    void pixelsResizeAndNormalise() {
        ImageDataset ds = small(2);
        DataLoader l =
                DataLoader.builder(ds)
                        .batchSize(2)
                        .resize(8, Resize.Mode.NEAREST)
                        .normalize(new float[] {0.5f}, new float[] {0.25f})
                        .build();
        Batch b = l.epoch(0).iterator().next();
        assertArrayEquals(new int[] {2, 1, 8, 8}, b.images().shape());
        // nearest 4 -> 8 doubles each pixel
        float expected = ((ds.pixel(1, 5) / 255f) - 0.5f) / 0.25f;
        assertEquals(expected, b.images().get(1, 0, 2, 3), 1e-6f);
        assertEquals(expected, b.images().get(1, 0, 3, 2), 1e-6f);
    }

    @Test
    void buffersAreReusedAndPrefetchGivesTheSameBatches() {
        ImageDataset ds = small(40);
        Augment aug = new Augment(1, 10, 0.1f, 0.5f);
        DataLoader plain =
                DataLoader.builder(ds)
                        .batchSize(8)
                        .shuffle(true, 7)
                        .augment(aug)
                        .resize(6, Resize.Mode.BILINEAR)
                        .build();
        List<float[]> ref = new ArrayList<>();
        List<float[]> arrays = new ArrayList<>();
        for (Batch b : plain.epoch(3)) {
            ref.add(b.images().toArray());
            arrays.add(b.images().data());
        }
        assertSame(arrays.get(0), arrays.get(2), "two buffers alternate");
        assertSame(arrays.get(1), arrays.get(3));
        try (DataLoader pre =
                DataLoader.builder(ds)
                        .batchSize(8)
                        .shuffle(true, 7)
                        .augment(aug)
                        .resize(6, Resize.Mode.BILINEAR)
                        .prefetch(true)
                        .build()) {
            int k = 0;
            for (Batch b : pre.epoch(3))
                assertClose(ref.get(k++), b.images().toArray(), 0, 0, "batch " + (k - 1));
            assertEquals(5, k);
        }
    }
}
