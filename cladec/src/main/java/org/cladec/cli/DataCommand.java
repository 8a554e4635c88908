package org.cladec.cli;

import java.util.concurrent.Callable;
import org.cladec.datasets.DataSource;
import org.cladec.datasets.ImageDataset;
import org.cladec.datasets.Splits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "data",
        mixinStandardHelpOptions = true,
        description =
                "Show which dataset is found and from where, the counts per split, the image shape and the class histogram.")
final class DataCommand implements Callable<Integer> {
    @Mixin CommonOptions common;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        Splits s =
                DataSource.load(
                        common.data,
                        DataSource.Kind.parse(common.dataset == null ? "auto" : common.dataset),
                        DataSource.FolderOptions.DEFAULT);
        double sec = (System.nanoTime() - t0) / 1e9;
        System.out.println("source: " + s.source());
        System.out.printf("loaded in %.2f s%n", sec);
        for (ImageDataset d : new ImageDataset[] {s.train(), s.test()}) {
            System.out.printf(
                    "%s: %d images, %d x %d x %d%n",
                    d.name(), d.size(), d.channels(), d.height(), d.width());
        }
        System.out.println("class histogram (train / test):");
        int[] tr = s.train().histogram(), te = s.test().histogram();
        for (int c = 0; c < tr.length; c++)
            System.out.printf(
                    "  %2d %-14s %6d %6d%n", c, s.train().classNames().get(c), tr[c], te[c]);
        return 0;
    }
}
