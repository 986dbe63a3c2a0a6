package org.mseg.api.dataset;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A dataset as it lies on disk: where its folder is under the data root, which taxonomy its labels use, its splits and
 * their list files, and how label files are decoded. Paths in list files are relative to the dataset folder.
 *
 * @param name          unique name, equal to the name MSeg uses for its list folder (e.g. {@code cityscapes-19})
 * @param taxonomy      name of the taxonomy its label ids refer to (often equal to {@code name})
 * @param folder        the dataset folder relative to the data root, e.g. {@code Cityscapes}
 * @param splits        available splits
 * @param labelEncoding how label files store class ids
 * @param description   one line for listings
 * @param relabeledFrom for a relabeled dataset (MSeg's {@code X-relabeled}: the images of {@code X} with labels
 *                      remapped to universal class names), the name of the unrelabeled dataset {@code X}. It is scored
 *                      like upstream: with the relabeled protocol against {@code X}'s ground truth of the same images,
 *                      and with the universal ids {@code X} cannot produce left out of the means. Empty otherwise.
 */
public record DatasetDefinition(String name, String taxonomy, String folder, List<SplitDefinition> splits,
        LabelEncoding labelEncoding, String description, Optional<String> relabeledFrom) {

    /** Checks the fields and copies the splits. */
    public DatasetDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(taxonomy, "taxonomy");
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(labelEncoding, "labelEncoding");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(relabeledFrom, "relabeledFrom");
        splits = List.copyOf(splits);
        if (name.isBlank() || taxonomy.isBlank()) {
            throw new IllegalArgumentException("dataset name and taxonomy must not be blank");
        }
        if (relabeledFrom.isPresent() && (relabeledFrom.get().isBlank() || relabeledFrom.get().equals(name))) {
            throw new IllegalArgumentException("dataset " + name + ": relabeledFrom must name another dataset, was '"
                    + relabeledFrom.get() + "'");
        }
    }

    /** A dataset that is not a relabeled version of another. */
    public DatasetDefinition(String name, String taxonomy, String folder, List<SplitDefinition> splits,
            LabelEncoding labelEncoding, String description) {
        this(name, taxonomy, folder, splits, labelEncoding, description, Optional.empty());
    }

    /** This dataset marked as the relabeled version of {@code unrelabeled}. */
    public DatasetDefinition relabeledFrom(String unrelabeled) {
        return new DatasetDefinition(name, taxonomy, folder, splits, labelEncoding, description,
                Optional.of(unrelabeled));
    }

    /** The split with this name, if the dataset has it. */
    public Optional<SplitDefinition> split(String splitName) {
        return splits.stream().filter(s -> s.name().equals(splitName)).findFirst();
    }

    /** Names of all splits. */
    public List<String> splitNames() {
        return splits.stream().map(SplitDefinition::name).toList();
    }
}
