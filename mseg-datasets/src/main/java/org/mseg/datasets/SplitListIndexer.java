package org.mseg.datasets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.mseg.api.DatasetException;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.dataset.SplitDefinition;

/**
 * Rebuilds a split list from the files on disk. The pairing rule image path → label path is learned from example
 * lines: either the longest common part of the two paths is the sample's stem (Cityscapes'
 * {@code leftImg8bit/train/x/x_1_leftImg8bit.png → gtFine_19cls/train/x/x_1_gtFine_labelIds.png}), or the file
 * numbers match with another zero padding (SUN RGB-D's {@code image/train/img-000001.jpg →
 * semseg-label37/train/00000001.png}). A rule is accepted only if it reproduces every example line it is tried on.
 *
 * <p>The examples come from the split's own list (bundled with the dataset, or from a lists folder), else from a list
 * of another split, whose folder and split token are then replaced (COCO ships no train list, so {@code val2017}
 * becomes {@code train2017}). Every image under the folder the example images share is then paired by the rule.
 * {@code mseg-cli datasets index} prints or writes the result.
 */
public final class SplitListIndexer {
    private static final int EXAMPLES = 50;

    private SplitListIndexer() {
    }

    /**
     * What indexing found. An image whose label file is missing is not a line; the caller decides whether that is an
     * error ({@code mseg-cli datasets index} fails naming them). The lists are immutable.
     *
     * @param lines   the list lines ({@code <image> <label>}, or {@code <image>} for an unlabeled split), sorted by
     *                image path, paths relative to the dataset folder
     * @param missing images whose label file does not exist, each as {@code <image> (expected label <label>)}
     * @param scanned folder scanned, relative to the dataset folder: empty or ending with {@code /}
     * @param rule    the pairing rule ({@code images only} for an unlabeled split), for messages
     */
    public record Result(List<String> lines, List<String> missing, String scanned, String rule) {
        public Result {
            lines = List.copyOf(lines);
            missing = List.copyOf(missing);
            Objects.requireNonNull(scanned, "scanned");
            Objects.requireNonNull(rule, "rule");
        }
    }

    /**
     * A learned pairing: {@code image = imagePrefix + stem + imageSuffix}, {@code label = labelPrefix + stem' +
     * labelSuffix}, where {@code stem' = stem}, or the stem's number re-padded to {@code numberWidth} digits.
     */
    record Rule(String imagePrefix, String imageSuffix, String labelPrefix, String labelSuffix, int numberWidth) {
        Optional<String> labelFor(String image) {
            if (!image.startsWith(imagePrefix) || !image.endsWith(imageSuffix)
                    || image.length() <= imagePrefix.length() + imageSuffix.length()) {
                return Optional.empty();
            }
            String stem = image.substring(imagePrefix.length(), image.length() - imageSuffix.length());
            if (numberWidth > 0) {
                if (!stem.chars().allMatch(Character::isDigit) || stem.length() > 18) {
                    return Optional.empty();
                }
                stem = String.format(Locale.ROOT, "%0" + numberWidth + "d", Long.parseLong(stem));
            }
            return Optional.of(labelPrefix + stem + labelSuffix);
        }

        Rule replaceSplit(String from, String to) {
            return new Rule(imagePrefix.replace(from, to), imageSuffix, labelPrefix.replace(from, to),
                    labelSuffix, numberWidth);
        }

        @Override
        public String toString() {
            String stem = numberWidth > 0 ? "<number>" : "<stem>";
            return imagePrefix + stem + imageSuffix + " -> " + labelPrefix
                    + (numberWidth > 0 ? "<number padded to " + numberWidth + ">" : stem) + labelSuffix;
        }
    }

    /**
     * Indexes one split of a dataset.
     *
     * @param dataset       the dataset
     * @param splitName     the split to index; it need not be one of the dataset's splits if another split has a
     *                      list (e.g. {@code train} of a dataset defined with {@code val} only)
     * @param listsFolder   a lists folder holding example lists ({@link SplitList#fileIn}); empty to use the lists
     *                      bundled with the dataset
     * @param datasetFolder the dataset's folder on disk (e.g. {@link DataRoot#existingFolderOf})
     * @return the lines, the images without a label, the folder scanned and the rule; a missing scanned folder gives
     *         no lines
     * @throws DatasetException if no split of the dataset has a non-empty example list, if an example list cannot be
     *                          read, or if no rule reproduces the example lines
     * @throws IOException      if the scanned folder cannot be walked
     */
    public static Result index(DatasetDefinition dataset, String splitName, Optional<Path> listsFolder,
            Path datasetFolder) throws IOException {
        SplitDefinition split = dataset.split(splitName).orElse(null);
        // The example: this split's list, else a labeled list of another split (COCO ships no train list).
        SplitList example = null;
        String exampleSplit = null;
        List<String> candidates = new ArrayList<>();
        candidates.add(splitName);
        dataset.splits().stream().filter(s -> s.labeled() || split != null && !split.labeled())
                .map(SplitDefinition::name).filter(s -> !s.equals(splitName)).forEach(candidates::add);
        for (String c : candidates) {
            if (dataset.split(c).isEmpty()) {
                continue;
            }
            boolean available = listsFolder.isPresent()
                    ? Files.isRegularFile(SplitList.fileIn(listsFolder.get(), dataset.name(), c))
                    : dataset.split(c).get().bundledList().isPresent();
            if (available) {
                example = SplitList.read(dataset, c, listsFolder);
                exampleSplit = c;
                break;
            }
        }
        if (example == null || example.size() == 0) {
            throw new DatasetException("Dataset '" + dataset.name() + "' has no example list to learn its layout from."
                    + " Pass --lists with a folder holding " + dataset.name() + "/list/<split>.txt for any split.");
        }
        List<SplitEntry> sample = example.entries().subList(0, Math.min(EXAMPLES, example.size()));
        // All lines, not the sample: the first lines of a list often share a subfolder (Cityscapes' aachen/).
        String scanned = commonDirectory(example.entries().stream().map(SplitEntry::imagePath).toList());
        boolean labeled = split == null ? example.labeled() : split.labeled();
        Rule rule = null;
        if (labeled) {
            String source = example.source();
            rule = learn(sample).orElseThrow(() -> new DatasetException("Cannot learn how '" + dataset.name()
                    + "' pairs images with labels from " + source + ": no common-stem or file-number rule"
                    + " reproduces its lines. Write the list by hand."));
        }
        if (!exampleSplit.equals(splitName)) {
            String[] tokens = splitTokens(sample.get(0).imagePath(), exampleSplit, splitName);
            scanned = scanned.replace(tokens[0], tokens[1]);
            if (rule != null) {
                rule = rule.replaceSplit(tokens[0], tokens[1]);
            }
        }
        String suffix = labeled ? rule.imageSuffix() : extension(sample.get(0).imagePath());
        Path scanRoot = datasetFolder.resolve(scanned);
        List<String> images = new ArrayList<>();
        if (Files.isDirectory(scanRoot)) {
            try (Stream<Path> files = Files.walk(scanRoot)) {
                files.filter(Files::isRegularFile).map(p -> datasetFolder.relativize(p).toString().replace('\\', '/'))
                        .filter(p -> p.endsWith(suffix)).sorted().forEach(images::add);
            }
        }
        List<String> lines = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String image : images) {
            if (rule == null) {
                lines.add(image);
                continue;
            }
            Optional<String> label = rule.labelFor(image);
            if (label.isEmpty()) {
                continue;
            }
            if (Files.isRegularFile(datasetFolder.resolve(label.get()))) {
                lines.add(image + " " + label.get());
            } else {
                missing.add(image + " (expected label " + label.get() + ")");
            }
        }
        return new Result(lines, missing, scanned, rule == null ? "images only" : rule.toString());
    }

    /** The token to replace when another split's list is the example: e.g. {@code val2017 → train2017}. */
    private static String[] splitTokens(String examplePath, String from, String to) {
        for (String part : examplePath.split("/")) {
            if (part.contains(from)) {
                return new String[] {part, part.replace(from, to)};
            }
        }
        return new String[] {from, to};
    }

    private static String extension(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? "" : path.substring(dot);
    }

    /** The longest folder (ending with '/', or empty) that holds every path. */
    static String commonDirectory(List<String> paths) {
        String common = paths.get(0);
        for (String p : paths) {
            int n = 0;
            while (n < common.length() && n < p.length() && common.charAt(n) == p.charAt(n)) {
                n++;
            }
            common = common.substring(0, n);
        }
        int slash = common.lastIndexOf('/');
        return slash < 0 ? "" : common.substring(0, slash + 1);
    }

    static Optional<Rule> learn(List<SplitEntry> examples) {
        for (SplitEntry e : examples.subList(0, Math.min(5, examples.size()))) {
            String image = e.imagePath();
            String label = e.labelPath().orElseThrow();
            // Either rule may not exist (null): List.of would throw on it.
            for (Rule candidate : Arrays.asList(stemRule(image, label), numberRule(image, label))) {
                if (candidate != null && examples.stream().allMatch(x -> candidate.labelFor(x.imagePath())
                        .equals(x.labelPath()))) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** The longest common substring of the two paths is the stem. */
    private static Rule stemRule(String image, String label) {
        int best = 0;
        int bestI = 0;
        int bestJ = 0;
        int[] prev = new int[label.length() + 1];
        for (int i = 1; i <= image.length(); i++) {
            int[] cur = new int[label.length() + 1];
            for (int j = 1; j <= label.length(); j++) {
                if (image.charAt(i - 1) == label.charAt(j - 1)) {
                    cur[j] = prev[j - 1] + 1;
                    if (cur[j] > best) {
                        best = cur[j];
                        bestI = i - best;
                        bestJ = j - best;
                    }
                }
            }
            prev = cur;
        }
        if (best == 0) {
            return null;
        }
        return new Rule(image.substring(0, bestI), image.substring(bestI + best), label.substring(0, bestJ),
                label.substring(bestJ + best), 0);
    }

    /** The last digit run of each file name is the same number, maybe padded differently. */
    private static Rule numberRule(String image, String label) {
        int[] a = lastDigits(image);
        int[] b = lastDigits(label);
        if (a == null || b == null) {
            return null;
        }
        return new Rule(image.substring(0, a[0]), image.substring(a[1]), label.substring(0, b[0]),
                label.substring(b[1]), b[1] - b[0]);
    }

    private static int[] lastDigits(String path) {
        int start = path.lastIndexOf('/') + 1;
        int end = -1;
        for (int i = path.length() - 1; i >= start; i--) {
            if (Character.isDigit(path.charAt(i))) {
                end = i + 1;
                break;
            }
        }
        if (end < 0) {
            return null;
        }
        int begin = end;
        while (begin > start && Character.isDigit(path.charAt(begin - 1))) {
            begin--;
        }
        return new int[] {begin, end};
    }
}
