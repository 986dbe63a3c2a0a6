package org.mseg.datasets.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.mseg.api.DatasetException;
import org.mseg.datasets.SplitEntry;
import org.mseg.datasets.SplitList;

/**
 * A folder of predicted label maps, {@code <stem>.png} each (upstream's {@code <save_folder>/gray}), and the rules that
 * pair its files with ground truth for {@link PredictionScorer}: by file stem with a folder of label PNGs, or by image
 * stem with the lines of a split list. Every ground-truth label map must have its prediction; the errors name the
 * files without one (the first 20, and how many more).
 */
public final class PredictionFolder {
    private static final int MAX_LISTED = 20;

    private final Path folder;

    private PredictionFolder(Path folder) {
        this.folder = folder;
    }

    /**
     * A prediction file and the ground-truth file it is scored against.
     *
     * @param stem        the name the two are paired by
     * @param prediction  the predicted label map, {@code <prediction folder>/<stem>.png}
     * @param groundTruth the ground-truth label map
     */
    public record Pair(String stem, Path prediction, Path groundTruth) {
        public Pair {
            Objects.requireNonNull(stem, "stem");
            Objects.requireNonNull(prediction, "prediction");
            Objects.requireNonNull(groundTruth, "groundTruth");
        }
    }

    /**
     * The predictions in a folder.
     *
     * @throws DatasetException if the folder does not exist or is not a folder
     */
    public static PredictionFolder of(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new DatasetException("Prediction folder " + folder + " does not exist or is not a folder. Pass the"
                    + " folder holding the predicted <stem>.png label maps (upstream <save_folder>/gray).");
        }
        return new PredictionFolder(folder);
    }

    /** The folder, as given to {@link #of}. */
    public Path path() {
        return folder;
    }

    /**
     * Pairs {@code <groundTruthFolder>/<stem>.png} with {@code <prediction folder>/<stem>.png}, in stem order. Only
     * the folders' own {@code .png} files count (the extension in any case), not subfolders.
     *
     * @return the pairs, immutable; empty if both folders hold no PNG
     * @throws DatasetException if a stem is on one side only (naming those of each side), or a folder cannot be
     *                          listed
     */
    public List<Pair> pairByStem(Path groundTruthFolder) {
        Map<String, Path> truths = pngsByStem(groundTruthFolder);
        Map<String, Path> predictions = pngsByStem(folder);
        Set<String> noPrediction = new TreeSet<>(truths.keySet());
        noPrediction.removeAll(predictions.keySet());
        Set<String> noTruth = new TreeSet<>(predictions.keySet());
        noTruth.removeAll(truths.keySet());
        if (!noPrediction.isEmpty() || !noTruth.isEmpty()) {
            StringBuilder sb = new StringBuilder("Ground truth " + groundTruthFolder + " and predictions " + folder
                    + " do not hold the same file stems.");
            if (!noPrediction.isEmpty()) {
                sb.append(" Without a prediction (").append(noPrediction.size()).append("): ")
                        .append(listed(noPrediction)).append('.');
            }
            if (!noTruth.isEmpty()) {
                sb.append(" Without ground truth (").append(noTruth.size()).append("): ").append(listed(noTruth))
                        .append('.');
            }
            sb.append(" Predictions are paired with labels by file name (<stem>.png on both sides).");
            throw new DatasetException(sb.toString());
        }
        List<Pair> pairs = new ArrayList<>();
        truths.forEach((stem, truth) -> pairs.add(new Pair(stem, predictions.get(stem), truth)));
        return List.copyOf(pairs);
    }

    /**
     * Pairs the label of each line of a labeled split list with {@code <prediction folder>/<image stem>.png}, in list
     * order. For a ScanNet dataset (a name starting with {@code scannet}) the stem is upstream's
     * {@code get_unique_stem_from_last_k_strs(path, k=4)}, {@code <folder>_<folder>_<folder>_<stem>} of the image's
     * absolute path, because ScanNet's file stems repeat across scenes.
     *
     * @param list        a split list of a labeled split
     * @param listBase    the folder the list's paths are relative to (e.g. the dataset's folder under the data root)
     * @param datasetName the dataset the list belongs to; empty when unknown (stems are then file stems)
     * @return the pairs, immutable; the ground-truth files are not checked here
     * @throws DatasetException if the list is of an unlabeled split, two lines give the same stem (naming both line
     *                          numbers), or lines have no prediction (naming the expected files and their lines)
     */
    public List<Pair> pairWithList(SplitList list, Path listBase, Optional<String> datasetName) {
        if (!list.labeled()) {
            throw new DatasetException(list.source() + " lists images only (an unlabeled split): it names no"
                    + " ground-truth labels to score against. Score a labeled split's list.");
        }
        boolean uniqueStems = !datasetName.orElse("").startsWith("scannet");
        List<Pair> pairs = new ArrayList<>();
        Map<String, Integer> lineOfStem = new TreeMap<>();
        List<String> missing = new ArrayList<>();
        for (SplitEntry e : list.entries()) {
            Path image = listBase.resolve(e.imagePath());
            String stem = uniqueStems ? stem(image.getFileName().toString()) : scannetStem(image.toAbsolutePath());
            Integer previous = lineOfStem.putIfAbsent(stem, e.lineNumber());
            if (previous != null) {
                throw new DatasetException(list.source() + " lines " + previous + " and " + e.lineNumber()
                        + " both name an image with stem '" + stem + "', so their predictions would share "
                        + folder.resolve(stem + ".png") + ". Remove the duplicate line.");
            }
            Path prediction = folder.resolve(stem + ".png");
            if (!Files.isRegularFile(prediction)) {
                missing.add(prediction + " (line " + e.lineNumber() + ")");
            }
            pairs.add(new Pair(stem, prediction, listBase.resolve(e.labelPath().orElseThrow())));
        }
        if (!missing.isEmpty()) {
            throw new DatasetException(missing.size() + " of " + list.size() + " entries of " + list.source()
                    + " have no prediction: " + listed(missing) + ". Run inference on the whole list, or score a"
                    + " list of the predicted images only.");
        }
        return List.copyOf(pairs);
    }

    private static Map<String, Path> pngsByStem(Path folder) {
        Map<String, Path> byStem = new TreeMap<>();
        try (Stream<Path> files = Files.list(folder)) {
            files.filter(f -> Files.isRegularFile(f)
                    && f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png"))
                    .forEach(f -> byStem.put(stem(f.getFileName().toString()), f));
        } catch (IOException e) {
            throw new DatasetException("Cannot list folder " + folder + ": " + e + ".", e);
        }
        return byStem;
    }

    /** The file name without its last extension; a leading dot is no extension. */
    static String stem(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }

    /** Upstream's {@code get_unique_stem_from_last_k_strs(path, k=4)}: three parent folders and the stem. */
    static String scannetStem(Path absolute) {
        int n = absolute.getNameCount();
        StringBuilder sb = new StringBuilder();
        for (int i = Math.max(0, n - 4); i < n - 1; i++) {
            sb.append(absolute.getName(i)).append('_');
        }
        return sb.append(stem(absolute.getFileName().toString())).toString();
    }

    private static String listed(Collection<String> items) {
        List<String> shown = items.stream().limit(MAX_LISTED).toList();
        String more = items.size() > MAX_LISTED ? ", ... (" + (items.size() - MAX_LISTED) + " more)" : "";
        return String.join(", ", shown) + more;
    }
}
