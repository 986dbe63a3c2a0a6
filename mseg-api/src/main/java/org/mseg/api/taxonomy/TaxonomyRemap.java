package org.mseg.api.taxonomy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A class-name remapping between two taxonomies, as in MSeg's {@code <from>_to_<to>.tsv} files: raw → semseg
 * (e.g. {@code cityscapes-34 → cityscapes-19}) and semseg → relabeled.
 *
 * @param from     source taxonomy name
 * @param to       target taxonomy name
 * @param classMap source class name → target class name, or {@link TaxonomyDefinition#UNLABELED}
 */
public record TaxonomyRemap(String from, String to, Map<String, String> classMap) {
    public TaxonomyRemap {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        classMap = Map.copyOf(new LinkedHashMap<>(classMap));
    }
}
