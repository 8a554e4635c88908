package org.cladec.datasets;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Image folders: one sub-folder per class, named after the class, holding PNG or JPEG files
 * (anything {@code javax.imageio} reads), grey or RGB. Either {@code DIR/train/<class>/} and {@code
 * DIR/test/<class>/}, or {@code DIR/<class>/} split per class by sorted file name (first 80%
 * train). Images are resized bilinearly to the requested size and converted to the requested
 * channel count (grey by ITU-R BT.601 luma; grey to RGB by copying). Hidden files (starting with
 * '.') are ignored; any other file that is not a readable image is an error naming it.
 */
public final class ImageFolderFormat {
    private ImageFolderFormat() {}

    /** True when {@code dir} looks like an image folder (sub-folders, or train/ and test/). */
    public static boolean looksLike(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(
                    p -> Files.isDirectory(p) && !p.getFileName().toString().startsWith("."));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Loads an image folder.
     *
     * @param channels 1 or 3, or 0 to take it from the first image (grey: 1, colour: 3)
     */
    public static Splits load(Path dir, int size, int channels, String source)
            throws DatasetException {
        if (!Files.isDirectory(dir)) throw new DatasetException(dir, "not a folder");
        if (size <= 0)
            throw new IllegalArgumentException("image size must be positive, but got " + size);
        Path train = dir.resolve("train"), test = dir.resolve("test");
        if (Files.isDirectory(train) && Files.isDirectory(test)) {
            List<String> classes = classFolders(train);
            List<List<Path>> trFiles = files(train, classes), teFiles = files(test, classes);
            for (String c : classFolders(test)) {
                if (!classes.contains(c))
                    throw new DatasetException(
                            test.resolve(c), "class folder not present in " + train);
            }
            int ch = channels != 0 ? channels : firstChannels(trFiles);
            return new Splits(
                    read(dir.getFileName() + " train", trFiles, classes, size, ch),
                    read(dir.getFileName() + " test", teFiles, classes, size, ch),
                    source);
        }
        List<String> classes = classFolders(dir);
        List<List<Path>> all = files(dir, classes), tr = new ArrayList<>(), te = new ArrayList<>();
        for (List<Path> f : all) {
            int k = (int) Math.round(f.size() * EmbeddedFashionMnist.TRAIN_FRACTION);
            tr.add(f.subList(0, k));
            te.add(f.subList(k, f.size()));
        }
        int ch = channels != 0 ? channels : firstChannels(all);
        return new Splits(
                read(dir.getFileName() + " train", tr, classes, size, ch),
                read(dir.getFileName() + " test", te, classes, size, ch),
                source);
    }

    private static List<String> classFolders(Path dir) throws DatasetException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith("."))
                    .sorted()
                    .forEach(out::add);
        } catch (IOException e) {
            throw new DatasetException(dir, "cannot list folder: " + e.getMessage(), e);
        }
        if (out.isEmpty())
            throw new DatasetException(dir, "no class folders (expected one sub-folder per class)");
        if (out.size() > 65536)
            throw new DatasetException(
                    dir, out.size() + " class folders; at most 65536 are supported");
        return out;
    }

    private static List<List<Path>> files(Path dir, List<String> classes) throws DatasetException {
        List<List<Path>> out = new ArrayList<>();
        for (String c : classes) {
            Path cd = dir.resolve(c);
            List<Path> f = new ArrayList<>();
            if (Files.isDirectory(cd)) {
                try (Stream<Path> s = Files.list(cd)) {
                    s.filter(p -> !p.getFileName().toString().startsWith("."))
                            .filter(p -> !Files.isDirectory(p))
                            .sorted()
                            .forEach(f::add);
                } catch (IOException e) {
                    throw new DatasetException(cd, "cannot list folder: " + e.getMessage(), e);
                }
            }
            out.add(f);
        }
        return out;
    }

    private static int firstChannels(List<List<Path>> files) throws DatasetException {
        for (List<Path> l : files) {
            if (!l.isEmpty())
                return readImage(l.get(0)).getColorModel().getNumColorComponents() == 1 ? 1 : 3;
        }
        throw new DatasetException(Path.of("."), "no image files in any class folder");
    }

    private static BufferedImage readImage(Path f) throws DatasetException {
        try {
            BufferedImage img = ImageIO.read(f.toFile());
            if (img == null)
                throw new DatasetException(
                        f, "not a readable image (javax.imageio reads PNG, JPEG, GIF, BMP)");
            if (img.getWidth() <= 0 || img.getHeight() <= 0)
                throw new DatasetException(f, "image has no pixels");
            return img;
        } catch (DatasetException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new DatasetException(f, "unreadable image: " + e.getMessage(), e);
        }
    }

    private static ImageDataset read(
            String name, List<List<Path>> files, List<String> classes, int size, int ch)
            throws DatasetException {
        if (ch != 1 && ch != 3)
            throw new IllegalArgumentException("channels must be 1 or 3, but got " + ch);
        int n = 0;
        for (List<Path> l : files) n += l.size();
        if (n == 0) throw new DatasetException(Path.of(name), "no images");
        int per = ch * size * size;
        byte[] px = new byte[Math.multiplyExact(n, per)];
        int[] labels = new int[n];
        float[] scratch = new float[per];
        int k = 0;
        for (int c = 0; c < files.size(); c++) {
            for (Path f : files.get(c)) {
                BufferedImage img = readImage(f);
                int H = img.getHeight(), W = img.getWidth();
                float[] src = new float[ch * H * W];
                // NOTE: getRGB on a grey image converts linear grey to sRGB (values change), so
                // grey
                // images are read from the raster.
                boolean grey = img.getColorModel().getNumColorComponents() == 1;
                float greyScale =
                        grey ? 255f / ((1 << img.getColorModel().getComponentSize(0)) - 1) : 1f;
                for (int y = 0; y < H; y++) {
                    for (int x = 0; x < W; x++) {
                        float r, g, b;
                        if (grey) {
                            r = g = b = img.getRaster().getSample(x, y, 0) * greyScale;
                        } else {
                            int rgb = img.getRGB(x, y);
                            r = (rgb >> 16) & 0xFF;
                            g = (rgb >> 8) & 0xFF;
                            b = rgb & 0xFF;
                        }
                        if (ch == 1) {
                            src[y * W + x] = grey ? r : 0.299f * r + 0.587f * g + 0.114f * b;
                        } else {
                            src[y * W + x] = r;
                            src[H * W + y * W + x] = g;
                            src[2 * H * W + y * W + x] = b;
                        }
                    }
                }
                Resize.resize(Resize.Mode.BILINEAR, src, 0, ch, H, W, scratch, 0, size, size);
                for (int p = 0; p < per; p++)
                    px[k * per + p] = (byte) Math.max(0, Math.min(255, Math.round(scratch[p])));
                labels[k++] = c;
            }
        }
        return new ImageDataset(name, n, ch, size, size, px, labels, classes);
    }
}
