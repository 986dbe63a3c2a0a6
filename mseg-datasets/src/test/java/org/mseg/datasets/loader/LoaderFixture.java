package org.mseg.datasets.loader;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bytedeco.opencv.opencv_core.Mat;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.datasets.transform.TransformParams;
import org.mseg.taxonomy.TaxonomyConverter;

/**
 * Writes small datasets laid out as upstream under a temporary folder: {@code <root>/<folder>/img/NN.png} and
 * {@code lab/NN.png}, listed in {@code <lists>/<dataset>/list/train.txt}.
 *
 * <p>Sample {@code k}'s image has the constant red value {@link #red(int)} (so a crop that is not resampled tells which
 * sample it came from), a green ramp and a blue ramp; its label cycles through the dataset's first classes with some
 * ignore pixels.
 */
final class LoaderFixture {
    static final PluginEnvironment ENV = PluginEnvironment.boot();
    static final TaxonomyConverter CONVERTER = TaxonomyConverter.of(ENV);

    final Path root;
    final Path lists;

    LoaderFixture(Path dir) {
        this.root = dir.resolve("mseg_dataset");
        this.lists = dir.resolve("lists");
    }

    /** The red value that identifies sample {@code k} (PNG keeps it exact). */
    static int red(int k) {
        return 10 * k + 5;
    }

    /** The sample id encoded in a normalised red value. */
    static int sampleOf(float normalisedRed) {
        double red = normalisedRed * (0.229 * 255) + 0.485 * 255;
        return (int) Math.round((red - 5) / 10.0);
    }

    /** Label value of sample k at (r, c) with {@code classes} usable classes. */
    static int labelValue(int k, int r, int c, int classes) {
        return (r + 2 * c + k) % 7 == 0 ? 255 : (r / 4 + c / 5 + k) % classes;
    }

    /**
     * Writes a dataset's samples and its train list.
     *
     * @param bad indices whose label file is not written (so that reading them fails)
     */
    void dataset(String name, String folder, int count, int rows, int cols, int classes, Set<Integer> bad) {
        Path base = root.resolve(folder);
        List<String> lines = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            String image = "img/" + name + "_" + k + ".png";
            String label = "lab/" + name + "_" + k + ".png";
            lines.add(image + " " + label);
            try (Mat bgr = new Mat(rows, cols, CV_8UC3); Mat lab = new Mat(rows, cols, CV_8UC1)) {
                byte[] px = new byte[rows * cols * 3];
                byte[] lb = new byte[rows * cols];
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        int i = r * cols + c;
                        px[3 * i] = (byte) ((r * 13 + c * 5) % 256);
                        px[3 * i + 1] = (byte) ((r * 3 + c * 11 + 40) % 256);
                        px[3 * i + 2] = (byte) red(k);
                        lb[i] = (byte) labelValue(k, r, c, classes);
                    }
                }
                bgr.data().put(px);
                lab.data().put(lb);
                write(base.resolve(image), bgr);
                if (bad.contains(k)) {
                    delete(base.resolve(label));
                } else {
                    write(base.resolve(label), lab);
                }
            }
        }
        try {
            Path list = lists.resolve(name).resolve("list").resolve("train.txt");
            Files.createDirectories(list.getParent());
            Files.write(list, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, Mat mat) {
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!imwrite(file.toString(), mat)) {
            throw new IllegalStateException("cannot write " + file);
        }
    }

    /** A builder over this fixture with the real providers and converter. */
    MultiDatasetLoader.Builder builder() {
        return MultiDatasetLoader.builder().environment(ENV).converter(CONVERTER).dataRoot(root)
                .listsFolder(Optional.of(lists));
    }

    /** Release-like train parameters scaled down: short side 32, scale 0.5–2, rotation ±10°, crops 24×20. */
    static TransformParams trainParams() {
        return new TransformParams(32, 0.5, 2.0, -10, 10, 24, 20, 255);
    }

    /** Crops of the given size with the val chain. */
    static TransformParams cropParams(int h, int w) {
        return new TransformParams(h, 1.0, 1.0, 0, 0, h, w, 255);
    }
}
