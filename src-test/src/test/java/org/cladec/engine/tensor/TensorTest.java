package org.cladec.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TensorTest {
    private static Tensor arange(int... shape) {
        float[] d = new float[Shape.size(shape)];
        for (int i = 0; i < d.length; i++) d[i] = i;
        return Tensor.wrap(d, shape);
    }

    @Test
    void reshapeOfDenseDataIsAViewOverTheSameArray() {
        Tensor t = arange(2, 3, 4);
        Tensor r = t.reshape(6, -1);
        assertArrayEquals(new int[] {6, 4}, r.shape());
        assertSame(t.data(), r.data());
        assertEquals(13f, r.get(3, 1));
    }

    @Test
    void permuteAndSliceShareStorageAndIndexCorrectly() {
        Tensor t = arange(2, 3, 4);
        Tensor p = t.permute(2, 0, 1); // (4, 2, 3)
        assertSame(t.data(), p.data());
        assertFalse(p.isDense());
        assertEquals(t.get(1, 2, 3), p.get(3, 1, 2));
        Tensor s = t.slice(1, 1, 3); // (2, 2, 4)
        assertSame(t.data(), s.data());
        assertEquals(t.get(1, 2, 0), s.get(1, 1, 0));
        Tensor batch = t.slice(0, 1, 2);
        assertEquals(12, batch.offset());
        assertFalse(batch.isDense(), "a view that does not start at 0 is not what kernels take");
        assertArrayEquals(
                new float[] {12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}, batch.toArray());
    }

    @Test
    void denseCopiesOnlyWhenNeeded() {
        Tensor t = arange(3, 4);
        assertSame(t, t.dense());
        Tensor tr = t.permute(1, 0);
        Tensor d = tr.dense();
        assertNotSame(tr.data(), d.data());
        assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, d.toArray());
    }

    @Test
    void expandBroadcastsWithZeroStrides() {
        Tensor b = Tensor.of(new float[] {1, 2, 3}, 3, 1);
        Tensor e = b.expand(2, 3, 4);
        assertArrayEquals(new int[] {0, 1, 0}, e.strides());
        assertEquals(3f, e.get(1, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> b.expand(2, 4, 4));
    }

    @Test
    void badShapesAndIndicesFailClearly() {
        Tensor t = arange(2, 3);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> t.reshape(4, -1));
        assertTrue(e.getMessage().contains("reshape"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> t.reshape(-1, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(2, 0));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[5], 2, 3));
        assertThrows(ArithmeticException.class, () -> Shape.size(1 << 16, 1 << 16));
        assertThrows(IllegalArgumentException.class, () -> t.permute(0, 0));
        assertThrows(IllegalArgumentException.class, () -> t.slice(1, 2, 4));
    }

    @Test
    void rawViewsRefuseTensorsThatRequireGrad() {
        Tensor t = arange(2, 3).setRequiresGrad(true);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.reshape(6));
        assertTrue(e.getMessage().contains("F.reshape"), e.getMessage());
        assertEquals(6, t.detach().reshape(6).size());
    }

    @Test
    void copyFromWritesIntoStridedViews() {
        Tensor t = Tensor.zeros(2, 3);
        Tensor view = t.permute(1, 0); // (3, 2)
        view.copyFrom(arange(3, 2));
        assertArrayEquals(new float[] {0, 2, 4, 1, 3, 5}, t.toArray());
    }

    @Test
    void scalarsAndItems() {
        Tensor s = Tensor.scalar(2.5f);
        assertEquals(0, s.dim());
        assertEquals(1, s.size());
        assertEquals(2.5f, s.item());
        assertThrows(IllegalStateException.class, () -> arange(2).item());
        assertEquals("(3,)", Shape.str(new int[] {3}));
        assertArrayEquals(
                new int[] {2, 3, 4}, Shape.broadcast(new int[] {3, 1}, new int[] {2, 1, 4}));
    }
}
