package org.mseg.datasets.synth;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.bytedeco.opencv.opencv_core.Mat;
import org.mseg.api.DatasetException;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.taxonomy.TaxonomyDefinition;

/**
 * Small synthetic versions of MSeg's seven training datasets, for demos, smoke training runs and tests without the
 * 200 GB of real data.
 *
 * <p>Each dataset is written in its own on-disk layout under its built-in folder ({@code Cityscapes},
 * {@code BDD/bdd100k}, ...) with file names in the style of its upstream lists, and with both label sets: the
 * unrelabeled one (e.g. {@code gtFine_19cls/}, ids of {@code cityscapes-19}) and the relabeled one beside it
 * ({@code gtFine_19cls_relabeled/}, ids of {@code cityscapes-19-relabeled}). Split lists for all fourteen datasets are
 * written to {@code dataset_lists/<name>/list/{train,val}.txt}; the relabeled and unrelabeled lists are line-aligned.
 *
 * <p>Images are random street scenes (sky, buildings, vegetation, terrain, road, sidewalk, poles and signs, cars, a
 * bus, people, bicyclists on bicycles) and, for SUN RGB-D and half of ADE20K and COCO, rooms (ceiling, walls, floor,
 * window, door, painting, bed, table, chairs, cabinet, couch), with per-class colour distributions, textures and
 * noise and a slightly different look per dataset. Labels use each dataset's own ids for these classes, found by
 * class name through the taxonomy's universal mapping; a dataset without a class labels it with a coarser class it
 * has (ADE20K's {@code person} for a bicyclist, BDD's {@code rider}), so relabeling refines it as in MSeg, and a class
 * no taxonomy can express becomes 255.
 *
 * <p>Output is fully determined by the {@link Options}; generation of the default set takes a few seconds.
 */
public final class SyntheticMseg {
    /** Name of the marker file written last into the output folder; it records the options. */
    public static final String MARKER = ".mseg-synthetic";

    /** The seven unrelabeled training datasets, in release-config order. */
    public static final List<String> UNRELABELED = List.of("ade20k-150", "bdd", "cityscapes-19", "coco-panoptic-133",
            "idd-39", "mapillary-public65", "sunrgbd-37");

    /** The seven relabeled training datasets, in release-config order. */
    public static final List<String> RELABELED = List.of("ade20k-150-relabeled", "bdd-relabeled",
            "cityscapes-19-relabeled", "coco-panoptic-133-relabeled", "idd-39-relabeled",
            "mapillary-public65-relabeled", "sunrgbd-37-relabeled");

    private static final int FORMAT = 1;

    private SyntheticMseg() {
    }

    /**
     * What to generate.
     *
     * @param imagesPerDataset    images in each dataset's {@code train} split (at least 1)
     * @param valImagesPerDataset images in each dataset's {@code val} split (at least 1)
     * @param width               image width in pixels (32..4096)
     * @param height              image height in pixels (32..4096)
     * @param seed                seed of every random choice; equal options give identical files
     */
    public record Options(int imagesPerDataset, int valImagesPerDataset, int width, int height, long seed) {
        public Options {
            if (imagesPerDataset < 1 || valImagesPerDataset < 1) {
                throw new IllegalArgumentException("synthetic datasets need at least one train and one val image, got "
                        + imagesPerDataset + " and " + valImagesPerDataset);
            }
            if (width < 32 || height < 32 || width > 4096 || height > 4096) {
                throw new IllegalArgumentException("synthetic image size must be 32..4096 pixels per side, got "
                        + width + "x" + height);
            }
        }

        /** 24 train and 8 val images per dataset, 160x120 pixels, seed 2020. */
        public static Options defaults() {
            return new Options(24, 8, 160, 120, 2020);
        }

        /** The same options with another train and val image count. */
        public Options withImages(int train, int val) {
            return new Options(train, val, width, height, seed);
        }

        String marker() {
            return "MSeg synthetic datasets, format " + FORMAT + "\n" + "imagesPerDataset=" + imagesPerDataset
                    + "\nvalImagesPerDataset=" + valImagesPerDataset + "\nwidth=" + width + "\nheight=" + height
                    + "\nseed=" + seed + "\n";
        }
    }

    /**
     * What was generated.
     *
     * @param dataRoot    the data root: one folder per dataset as {@link DatasetDefinition#folder()} says
     * @param listsFolder the lists folder ({@code <name>/list/<split>.txt}), for {@code --lists} / list reading
     * @param datasets    the names of the datasets with lists: the seven unrelabeled, then the seven relabeled
     */
    public record Summary(Path dataRoot, Path listsFolder, List<String> datasets) {
        public Summary {
            Objects.requireNonNull(dataRoot, "dataRoot");
            Objects.requireNonNull(listsFolder, "listsFolder");
            datasets = List.copyOf(datasets);
        }
    }

    /** {@link #generate(Path, Options, PluginEnvironment)} with the datasets and taxonomies of the boot layer. */
    public static Summary generate(Path out, Options options) {
        return generate(out, options, PluginEnvironment.boot());
    }

    /**
     * Writes all fourteen datasets and their lists into {@code out}, replacing an earlier synthetic set there.
     *
     * @param env where the dataset definitions (folders) and taxonomies (class ids) come from
     * @throws DatasetException if {@code out} holds other files and no synthetic set (it refuses to write into a real
     *                          data root), or a file cannot be written
     */
    public static Summary generate(Path out, Options options, PluginEnvironment env) {
        Objects.requireNonNull(options, "options");
        List<DatasetDefinition> unrelabeled = new ArrayList<>();
        List<DatasetDefinition> relabeled = new ArrayList<>();
        for (SynthLayout layout : SynthLayout.values()) {
            unrelabeled.add(env.datasets().get(layout.unrelabeled()));
            relabeled.add(env.datasets().get(layout.relabeled()));
        }
        try {
            prepare(out, unrelabeled);
            for (SynthLayout layout : SynthLayout.values()) {
                DatasetDefinition u = unrelabeled.get(layout.ordinal());
                DatasetDefinition r = relabeled.get(layout.ordinal());
                if (!u.folder().equals(r.folder())) {
                    throw new DatasetException("Datasets '" + u.name() + "' and '" + r.name() + "' have different"
                            + " folders (" + u.folder() + ", " + r.folder() + "); synthetic data writes both label sets"
                            + " into one dataset folder. Check the dataset providers.");
                }
                int[] tableU = SceneLabels.table(env.taxonomies().get(u.taxonomy()));
                int[] tableR = SceneLabels.table(env.taxonomies().get(r.taxonomy()));
                Path folder = out.resolve(u.folder());
                for (boolean train : new boolean[] {true, false}) {
                    String split = train ? "train" : "val";
                    int count = train ? options.imagesPerDataset() : options.valImagesPerDataset();
                    StringBuilder listU = new StringBuilder();
                    StringBuilder listR = new StringBuilder();
                    for (int i = 0; i < count; i++) {
                        SplittableRandom rng = new SplittableRandom(seed(options.seed(), layout, train, i));
                        SynthLayout.Paths paths = layout.paths(train, i, rng);
                        writeSample(folder, paths, layout, tableU, tableR, options, rng);
                        listU.append(paths.image()).append(' ').append(paths.label()).append('\n');
                        listR.append(paths.image()).append(' ').append(paths.relabeledLabel()).append('\n');
                    }
                    writeList(out, u.name(), split, listU);
                    writeList(out, r.name(), split, listR);
                }
            }
            Files.writeString(out.resolve(MARKER), options.marker(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DatasetException("Cannot write synthetic datasets to " + out + ": " + e.getMessage()
                    + ". Check that the folder is writable and the disk has space.", e);
        }
        return summary(out);
    }

    /** {@link #ensure(Path, Options, PluginEnvironment)} with the datasets and taxonomies of the boot layer. */
    public static Summary ensure(Path cacheDir, Options options) {
        return ensure(cacheDir, options, PluginEnvironment.boot());
    }

    /**
     * The synthetic datasets in {@code cacheDir}, generated only if they are missing or were generated with other
     * options (the marker file records them); otherwise nothing is written. Safe to call from several threads and
     * processes at once: they wait on {@code <cacheDir>.lock} beside the folder.
     *
     * @throws DatasetException as {@link #generate(Path, Options, PluginEnvironment)}
     */
    public static Summary ensure(Path cacheDir, Options options, PluginEnvironment env) {
        Path marker = cacheDir.resolve(MARKER);
        Path absolute = cacheDir.toAbsolutePath().normalize();
        Path lockFile = absolute.resolveSibling(absolute.getFileName() + ".lock");
        // Tests of several modules may share one cache: threads of this JVM queue on the class, JVMs on a file lock.
        synchronized (SyntheticMseg.class) {
            try {
                Files.createDirectories(absolute.getParent());
                try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE)) {
                    // Held until the channel closes.
                    channel.lock();
                    if (Files.isRegularFile(marker) && Files.readString(marker, StandardCharsets.UTF_8)
                            .equals(options.marker())) {
                        return summary(cacheDir);
                    }
                    return generate(cacheDir, options, env);
                }
            } catch (IOException e) {
                throw new DatasetException("Cannot read or lock the synthetic datasets in " + cacheDir + ": "
                        + e.getMessage() + ". Check the folder is writable, or delete it to regenerate.", e);
            }
        }
    }

    private static Summary summary(Path out) {
        List<String> names = new ArrayList<>(UNRELABELED);
        names.addAll(RELABELED);
        return new Summary(out, out.resolve("dataset_lists"), names);
    }

    private static long seed(long seed, SynthLayout layout, boolean train, int index) {
        long h = seed * 0x9E3779B97F4A7C15L;
        h = (h ^ layout.ordinal()) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (train ? 1 : 2)) * 0x94D049BB133111EBL;
        return h ^ index;
    }

    /** Creates {@code out}, or clears an earlier synthetic set in it; refuses a folder holding anything else. */
    private static void prepare(Path out, List<DatasetDefinition> datasets) throws IOException {
        Files.createDirectories(out);
        Path marker = out.resolve(MARKER);
        if (Files.isRegularFile(marker)) {
            Files.delete(marker);
            for (DatasetDefinition d : datasets) {
                deleteTree(out.resolve(d.folder()));
            }
            deleteTree(out.resolve("dataset_lists"));
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(out)) {
            if (entries.iterator().hasNext()) {
                throw new DatasetException("Folder " + out + " is not empty and holds no synthetic datasets (no "
                        + MARKER + " file). Synthetic data is only written to an empty folder, so that a real data"
                        + " root is never overwritten; choose an empty or new folder.");
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static void writeSample(Path folder, SynthLayout.Paths paths, SynthLayout layout, int[] tableU,
            int[] tableR, Options options, SplittableRandom rng) throws IOException {
        try (Canvas canvas = new Canvas(options.width(), options.height())) {
            SceneRenderer.Scene scene = rng.nextDouble() < layout.streetShare() ? SceneRenderer.Scene.STREET
                    : SceneRenderer.Scene.ROOM;
            SceneRenderer.draw(canvas, scene, rng);
            byte[] classes = new byte[options.width() * options.height()];
            canvas.classes().data().get(classes);
            try (Mat image = SceneRenderer.shade(canvas, classes, layout.style(), rng)) {
                write(folder.resolve(paths.image()), image);
            }
            writeLabel(folder.resolve(paths.label()), SceneLabels.apply(tableU, classes), options);
            writeLabel(folder.resolve(paths.relabeledLabel()), SceneLabels.apply(tableR, classes), options);
        }
    }

    private static void writeLabel(Path file, byte[] ids, Options options) throws IOException {
        try (Mat label = new Mat(options.height(), options.width(), CV_8UC1)) {
            label.data().put(ids);
            write(file, label);
        }
    }

    private static void write(Path file, Mat mat) throws IOException {
        Files.createDirectories(file.getParent());
        if (!imwrite(file.toString(), mat)) {
            throw new IOException("OpenCV could not write " + file);
        }
    }

    private static void writeList(Path out, String dataset, String split, CharSequence lines) throws IOException {
        Path file = out.resolve("dataset_lists").resolve(dataset).resolve("list").resolve(split + ".txt");
        Files.createDirectories(file.getParent());
        Files.writeString(file, lines, StandardCharsets.UTF_8);
    }

    /** The taxonomy id each dataset uses for a universal class name, for tests and tools; 255 when it has none. */
    static int labelOf(TaxonomyDefinition taxonomy, String universalClass) {
        for (SceneClass c : SceneClass.values()) {
            if (c.universal().equals(universalClass)) {
                return SceneLabels.idOf(taxonomy, c);
            }
        }
        throw new IllegalArgumentException("synthetic scenes never draw '" + universalClass + "'");
    }
}
