package org.cladec.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderFormatTest {
    @TempDir Path dir;

    private static void png(Path file, int w, int h, int rgb, boolean grey) throws Exception {
        Files.createDirectories(file.getParent());
        BufferedImage img =
                new BufferedImage(
                        w, h, grey ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        if (grey) {
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) img.getRaster().setSample(x, y, 0, rgb & 0xFF);
        } else {
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, rgb);
        }
        ImageIO.write(img, "png", file.toFile());
    }

    @Test
    void classFoldersWithTrainAndTestParts() throws Exception {
        png(dir.resolve("train/cat/a.png"), 10, 12, 0x00FF0000, false);
        png(dir.resolve("train/cat/b.png"), 10, 12, 0x0000FF00, false);
        png(dir.resolve("train/dog/c.png"), 7, 7, 0x000000FF, false);
        png(dir.resolve("test/dog/d.png"), 5, 9, 0x00808080, false);
        Files.writeString(dir.resolve("train/cat/.DS_Store"), "hidden files are ignored");
        Splits s =
                DataSource.loadDir(
                        dir, DataSource.Kind.AUTO, new DataSource.FolderOptions(8, 0), "test");
        assertEquals(List.of("cat", "dog"), s.train().classNames());
        assertEquals(3, s.train().size());
        assertEquals(1, s.test().size());
        assertEquals(3, s.train().channels(), "colour images give 3 channels");
        assertEquals(8, s.train().height());
        assertEquals(255, s.train().pixel(0, 0), "red plane of the red cat");
        assertEquals(0, s.train().pixel(0, 64));
        assertEquals(255, s.train().pixel(1, 64), "green plane of the green cat");
        assertEquals(1, s.test().label(0));
        assertEquals(128, s.test().pixel(0, 130));
    }

    @Test
    void greyImagesKeepTheirValuesAndSplitPerClass() throws Exception {
        for (int i = 0; i < 5; i++) png(dir.resolve("zero/" + i + ".png"), 4, 4, 100, true);
        for (int i = 0; i < 5; i++) png(dir.resolve("one/" + i + ".png"), 4, 4, 200, true);
        Splits s = ImageFolderFormat.load(dir, 4, 0, "test");
        assertEquals(1, s.train().channels());
        assertEquals(8, s.train().size());
        assertEquals(2, s.test().size());
        assertEquals(200, s.train().pixel(0, 5), "grey 200 stays 200 (no sRGB conversion)");
        assertEquals(List.of("one", "zero"), s.train().classNames());
        Splits rgb = ImageFolderFormat.load(dir, 4, 3, "test");
        assertEquals(3, rgb.train().channels());
        assertEquals(100, rgb.train().pixel(5, 2 * 16 + 3));
    }

    @Test
    void aNonImageFileIsAnErrorNamingIt() throws Exception {
        png(dir.resolve("a/x.png"), 4, 4, 0, false);
        Path junk = dir.resolve("a/notes.txt");
        Files.writeString(junk, "not an image");
        DatasetException e =
                assertThrows(DatasetException.class, () -> ImageFolderFormat.load(dir, 8, 0, "t"));
        assertEquals(junk, e.file());
        assertTrue(e.getMessage().contains("not a readable image"), e.getMessage());
        Path truncated = dir.resolve("b/t.png");
        png(truncated, 16, 16, 0x123456, false);
        Files.delete(junk);
        byte[] b = Files.readAllBytes(truncated);
        Files.write(truncated, java.util.Arrays.copyOf(b, 30));
        e = assertThrows(DatasetException.class, () -> ImageFolderFormat.load(dir, 8, 0, "t"));
        assertEquals(truncated, e.file());
    }

    @Test
    void emptyOrMissingFoldersFail() throws Exception {
        assertThrows(
                DatasetException.class,
                () -> ImageFolderFormat.load(dir.resolve("missing"), 8, 0, "t"));
        DatasetException e =
                assertThrows(DatasetException.class, () -> ImageFolderFormat.load(dir, 8, 0, "t"));
        assertTrue(e.getMessage().contains("no class folders"), e.getMessage());
    }
}
