package org.mseg.datasets;

import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.bytedeco.opencv.opencv_core.Mat;
import org.mseg.api.DatasetException;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.dataset.LabelEncoding;
import org.mseg.api.plugin.Registry;
import org.mseg.api.taxonomy.TaxonomyDefinition;

/**
 * Reads the samples of one split list with OpenCV, as upstream's {@code SemData}: the image decoded as 8-bit BGR,
 * converted to RGB {@code CV_32FC3} (0..255); the label read unchanged and required to be single-channel 8-bit with
 * class ids below the dataset's class count or 255 (ignore).
 *
 * <p>Every failure (missing or undecodable file, wrong label format, size mismatch, invalid class id) is a
 * {@link DatasetException} naming the list, the line and the file. Label ids stay in the dataset's taxonomy;
 * conversion to a training taxonomy is the {@code LabelLookup} transform.
 *
 * <p>Beyond upstream, as its {@link ReadPolicy} says: a file is checked with {@link ImageFiles#check} before it is
 * decoded (known format, complete data, at most {@link ReadPolicy#maxImagePixels} pixels), and a list path that
 * leads outside the data root is refused.
 */
public final class SampleReader {
    private final SplitList list;
    private final Path datasetFolder;
    private final Path root;
    private final int numClasses;
    private final ReadPolicy policy;

    /**
     * A reader with the {@link ReadPolicy#DEFAULT default policy} whose list paths must stay inside
     * {@code datasetFolder}.
     *
     * @param list          the split list whose entries are read
     * @param datasetFolder folder the list's paths are relative to
     * @param numClasses    class count of the dataset's taxonomy; label ids must be below it or 255
     */
    public SampleReader(SplitList list, Path datasetFolder, int numClasses) {
        this(list, datasetFolder, datasetFolder, numClasses, ReadPolicy.DEFAULT);
    }

    /**
     * @param list          the split list whose entries are read
     * @param datasetFolder folder the list's paths are relative to
     * @param root          the data root; unless the policy allows it, list paths must lead to files under it
     * @param numClasses    class count of the dataset's taxonomy; label ids must be below it or 255
     * @param policy        size limit and path confinement
     */
    public SampleReader(SplitList list, Path datasetFolder, Path root, int numClasses, ReadPolicy policy) {
        this.list = Objects.requireNonNull(list, "list");
        this.datasetFolder = Objects.requireNonNull(datasetFolder, "datasetFolder");
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
        if (numClasses < 1 || numClasses > TaxonomyDefinition.IGNORE_ID) {
            throw new IllegalArgumentException("an 8-bit label taxonomy has 1..255 classes, got " + numClasses);
        }
        this.numClasses = numClasses;
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /**
     * A reader for a dataset's split list under a data root, taking the class count from the dataset's taxonomy.
     *
     * @throws DatasetException if the dataset's labels are not 8-bit or its taxonomy is unknown
     */
    public static SampleReader of(DatasetDefinition dataset, DataRoot root, SplitList list,
            Registry<TaxonomyDefinition> taxonomies) {
        return of(dataset, root, list, taxonomies, ReadPolicy.DEFAULT);
    }

    /**
     * As {@link #of(DatasetDefinition, DataRoot, SplitList, Registry)}, with a read policy.
     *
     * @throws DatasetException if the dataset's labels are not 8-bit or its taxonomy is unknown
     */
    public static SampleReader of(DatasetDefinition dataset, DataRoot root, SplitList list,
            Registry<TaxonomyDefinition> taxonomies, ReadPolicy policy) {
        if (dataset.labelEncoding() != LabelEncoding.GRAY8) {
            throw new DatasetException("Dataset '" + dataset.name() + "' stores " + dataset.labelEncoding()
                    + " labels; training reads 8-bit labels only. Remap it to an 8-bit taxonomy first.");
        }
        TaxonomyDefinition taxonomy = taxonomies.find(dataset.taxonomy()).orElseThrow(() -> new DatasetException(
                "Dataset '" + dataset.name() + "' uses taxonomy '" + dataset.taxonomy() + "', which no taxonomy"
                        + " provider defines. Add the plugin that provides it. Known: " + taxonomies.names()));
        return new SampleReader(list, root.folderOf(dataset), root.path(), taxonomy.classNames().size(), policy);
    }

    /** The list this reader reads. */
    public SplitList list() {
        return list;
    }

    /** Number of samples. */
    public int size() {
        return list.size();
    }

    /**
     * Reads the entry at a list index (0-based); the caller owns the returned sample and must close it.
     *
     * @throws DatasetException as {@link #read(SplitEntry)}
     */
    public Sample read(int index) {
        return read(list.entries().get(index));
    }

    /**
     * Reads an image and its label; the caller owns the returned sample and must close it.
     *
     * @throws DatasetException if the entry has no label, a file is missing or undecodable, the label is not
     *                          single-channel 8-bit, the sizes differ, or a label id is not a class of the dataset
     */
    public Sample read(SplitEntry entry) {
        String labelPath = entry.labelPath().orElseThrow(() -> new DatasetException(where(entry)
                + ": the split is unlabeled (image paths only), so it cannot be used for training or evaluation."
                + " Choose a labeled split."));
        Mat image = readImage(entry);
        try {
            Mat label = readLabel(entry, labelPath);
            if (label.rows() != image.rows() || label.cols() != image.cols()) {
                String message = where(entry) + ": image " + resolve(entry.imagePath()) + " is " + image.cols() + "x"
                        + image.rows() + " but label " + resolve(labelPath) + " is " + label.cols() + "x"
                        + label.rows() + ". Image and label must have the same size; check the list pairs the right"
                        + " files.";
                label.close();
                throw new DatasetException(message);
            }
            return new Sample(image, label);
        } catch (RuntimeException e) {
            image.close();
            throw e;
        }
    }

    /**
     * Reads the image of an entry as RGB {@code CV_32FC3}; the caller owns the returned Mat and must close it.
     *
     * @throws DatasetException if the file is missing or cannot be decoded
     */
    public Mat readImage(SplitEntry entry) {
        Path path = existing(entry, entry.imagePath(), "image");
        try (Mat bgr = decode(entry, path, "image", IMREAD_COLOR); Mat rgb = new Mat()) {
            cvtColor(bgr, rgb, COLOR_BGR2RGB);
            Mat image = new Mat();
            rgb.convertTo(image, CV_32F);
            return image;
        }
    }

    /**
     * Reads an entry like {@link #read(SplitEntry)}, with the same checks and messages, into reusable buffers: the
     * files are read into a reused byte buffer and decoded with {@code imdecode} into reused Mats (same decoder, same
     * pixels as {@code imread}), and OpenCV keeps a Mat's storage when the next image has the same size and type. A
     * reader in a loop (a loader's worker) thus makes no native allocation per image, and none of their page faults,
     * which on a virtual machine cost about as much as decoding. Afterwards {@link Buffers#image()} holds the RGB
     * {@code CV_32FC3} image (0..255) and {@link Buffers#label()} the label.
     *
     * @throws DatasetException as {@link #read(SplitEntry)}; the buffers' contents are then undefined
     */
    public void readInto(SplitEntry entry, Buffers buffers) {
        String labelPath = entry.labelPath().orElseThrow(() -> new DatasetException(where(entry)
                + ": the split is unlabeled (image paths only), so it cannot be used for training or evaluation."
                + " Choose a labeled split."));
        Path imagePath = existing(entry, entry.imagePath(), "image");
        if (!decode(entry, imagePath, IMREAD_COLOR, buffers, buffers.bgr)) {
            throw new DatasetException(where(entry) + ": cannot decode image " + imagePath + ". It is not a"
                    + " readable JPEG/PNG; re-download or re-extract it.");
        }
        cvtColor(buffers.bgr, buffers.rgb, COLOR_BGR2RGB);
        buffers.rgb.convertTo(buffers.image, CV_32F);
        Path path = existing(entry, labelPath, "label");
        if (!decode(entry, path, IMREAD_UNCHANGED, buffers, buffers.label)) {
            buffers.label.release();
        }
        checkLabel(entry, path, buffers.label);
        if (buffers.label.rows() != buffers.image.rows() || buffers.label.cols() != buffers.image.cols()) {
            throw new DatasetException(where(entry) + ": image " + imagePath + " is " + buffers.image.cols() + "x"
                    + buffers.image.rows() + " but label " + path + " is " + buffers.label.cols() + "x"
                    + buffers.label.rows() + ". Image and label must have the same size; check the list pairs the"
                    + " right files.");
        }
    }

    /** Decodes a file into {@code dst} through the buffers' file bytes; false if it is empty or not decodable. */
    private boolean decode(SplitEntry entry, Path path, int flags, Buffers buffers, Mat dst) {
        int size;
        try (FileChannel channel = FileChannel.open(path)) {
            long length = channel.size();
            if (length > Integer.MAX_VALUE - 64) {
                throw new DatasetException(where(entry) + ": " + path + " is " + length + " bytes, too large for an"
                        + " image; check the list points at image files.");
            }
            buffers.reserveFile(length + 1);
            ByteBuffer bytes = buffers.file.data().capacity(buffers.fileCapacity).asByteBuffer();
            // One byte more than the file: reading stops at the end even if the file grew meanwhile.
            while (bytes.hasRemaining() && channel.read(bytes) >= 0) {
                // read until the end of the file
            }
            size = bytes.position();
        } catch (IOException e) {
            throw new DatasetException(where(entry) + ": cannot read " + path + " (" + e.getMessage() + "). Check"
                    + " its permissions and the disk.", e);
        }
        if (size == 0) {
            return false;
        }
        ByteBuffer fileBytes = buffers.file.data().capacity(size).asByteBuffer();
        checked(entry, () -> ImageFiles.check(path, flags == IMREAD_COLOR ? "image" : "label", fileBytes,
                policy.maxImagePixels()));
        try (Mat encoded = new Mat(1, size, CV_8UC1, buffers.file.data()); Mat decoded = imdecode(encoded, flags, dst)) {
            return !decoded.empty();
        }
    }

    /** Reusable decoding buffers for {@link #readInto}; owned by one thread at a time and closed by their owner. */
    public static final class Buffers implements AutoCloseable {
        private Mat file = new Mat();
        private long fileCapacity;
        private final Mat bgr = new Mat();
        private final Mat rgb = new Mat();
        private final Mat image = new Mat();
        private final Mat label = new Mat();

        /** Empty buffers; they grow on first use. */
        public Buffers() {
        }

        /** The last image read: RGB {@code CV_32FC3}, 0..255. Owned by the buffers. */
        public Mat image() {
            return image;
        }

        /** The last label read: {@code CV_8UC1} class ids. Owned by the buffers. */
        public Mat label() {
            return label;
        }

        /** Makes the file buffer hold at least {@code bytes}, growing it by half again to settle after a few files. */
        private void reserveFile(long bytes) {
            if (bytes > fileCapacity) {
                long grown = Math.min(Math.max(bytes, fileCapacity + fileCapacity / 2), Integer.MAX_VALUE - 64);
                file.close();
                file = new Mat(1, (int) grown, CV_8UC1);
                fileCapacity = grown;
            }
        }

        /** Releases the storage. */
        @Override
        public void close() {
            file.close();
            bgr.close();
            rgb.close();
            image.close();
            label.close();
        }
    }

    private Mat readLabel(SplitEntry entry, String labelPath) {
        Path path = existing(entry, labelPath, "label");
        Mat label = decode(entry, path, "label", IMREAD_UNCHANGED);
        try {
            checkLabel(entry, path, label);
            return label;
        } catch (RuntimeException e) {
            label.close();
            throw e;
        }
    }

    private void checkLabel(SplitEntry entry, Path path, Mat label) {
        if (label.empty()) {
            throw new DatasetException(where(entry) + ": cannot decode label " + path + ". It is not a readable"
                    + " PNG; re-create it with MSeg's remap scripts.");
        }
        if (label.channels() != 1 || label.depth() != CV_8U) {
            throw new DatasetException(where(entry) + ": label " + path + " has " + label.channels()
                    + " channel(s) of " + depthName(label.depth()) + "; MSeg labels are single-channel 8-bit"
                    + " PNGs of class ids (semseg format). Convert colour or 16-bit labels with MSeg's remap"
                    + " scripts to an 8-bit taxonomy first.");
        }
        checkIds(entry, path, label);
    }

    private void checkIds(SplitEntry entry, Path path, Mat label) {
        byte[] row = new byte[label.cols()];
        for (int r = 0; r < label.rows(); r++) {
            label.ptr(r).get(row);
            for (int c = 0; c < row.length; c++) {
                int id = row[c] & 0xff;
                if (id >= numClasses && id != TaxonomyDefinition.IGNORE_ID) {
                    throw new DatasetException(where(entry) + ": label " + path + " holds id " + id + " at (x=" + c
                            + ", y=" + r + "), but the dataset has classes 0.." + (numClasses - 1) + " and 255"
                            + " (ignore). The label belongs to another taxonomy or was not remapped; check the list"
                            + " points at the remapped label folder.");
                }
            }
        }
    }

    /** Reads and decodes a file with {@link ImageFiles#read}; its failures name the list line too. */
    private Mat decode(SplitEntry entry, Path path, String what, int flags) {
        return checked(entry, () -> ImageFiles.read(path, what, flags, policy.maxImagePixels()));
    }

    private <T> T checked(SplitEntry entry, java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (DatasetException e) {
            throw new DatasetException(where(entry) + ": " + e.getMessage(), e);
        }
    }

    private Path existing(SplitEntry entry, String relative, String what) {
        Path path = resolve(relative);
        if (!policy.permitPathsOutsideRoot() && !path.toAbsolutePath().normalize().startsWith(root)) {
            throw new DatasetException(where(entry) + ": " + what + " path '" + relative + "' leads to "
                    + path.toAbsolutePath().normalize() + ", outside the data root " + root + ". List paths are"
                    + " relative to the dataset folder " + datasetFolder + " and must stay under the data root: fix"
                    + " the line, or link the files into the data root (links are followed), or allow such paths"
                    + " with " + ReadPolicy.OUTSIDE_ROOT_KEY + ": True ('datasets check"
                    + " --permit-paths-outside-root').");
        }
        if (!Files.isRegularFile(path)) {
            throw new DatasetException(where(entry) + ": " + what + " file " + path + " does not exist. Check the"
                    + " data root and that the dataset was downloaded and prepared.");
        }
        return path;
    }

    private Path resolve(String relative) {
        return datasetFolder.resolve(relative);
    }

    private String where(SplitEntry entry) {
        return list.source() + " line " + entry.lineNumber();
    }

    private static String depthName(int depth) {
        return switch (depth) {
            case 0 -> "8-bit unsigned";
            case 1 -> "8-bit signed";
            case 2 -> "16-bit unsigned";
            case 3 -> "16-bit signed";
            case 4 -> "32-bit int";
            case 5 -> "32-bit float";
            case 6 -> "64-bit float";
            default -> "depth " + depth;
        };
    }
}
