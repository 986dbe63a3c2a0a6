package org.mseg.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.mseg.api.ConfigException;
import org.mseg.api.MsegException;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.plugin.Registry;
import org.mseg.api.taxonomy.TaxonomyDefinition;
import org.mseg.datasets.loader.LabelTarget;
import org.mseg.taxonomy.TaxonomyConverter;

/**
 * The taxonomy a run trains in and, per dataset, the universal ids left out of its validation mIoU. Resolved before
 * the first step from each dataset definition's {@link DatasetDefinition#taxonomy()} (a plugin's dataset
 * {@code toy-roads} may use the taxonomy {@code toy-roads-3}), never from the dataset's name, so that a dataset whose
 * taxonomy is missing or cannot be mapped fails before training instead of after it.
 *
 * @param name        the training taxonomy ({@code universal}, {@code naive}, or the one dataset's own)
 * @param classNames  its class names, in id order
 * @param excludedIds per dataset, the universal ids it can never produce (empty sets unless training is universal)
 */
public record TrainingTaxonomy(String name, List<String> classNames, Map<String, Set<Integer>> excludedIds) {

    /** Copies the list and the map. */
    public TrainingTaxonomy {
        classNames = List.copyOf(classNames);
        excludedIds = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(excludedIds));
    }

    /**
     * Checks every dataset's taxonomy against the target and resolves the training taxonomy.
     *
     * @throws ConfigException naming the dataset and its taxonomy when the taxonomy is unknown or has no mapping to
     *                         the training taxonomy
     */
    static TrainingTaxonomy resolve(LabelTarget target, List<String> datasets, Registry<DatasetDefinition> defs,
            TaxonomyConverter converter) {
        Map<String, Set<Integer>> excluded = new LinkedHashMap<>();
        for (String d : datasets) {
            DatasetDefinition def = defs.get(d);
            String taxonomy = def.taxonomy();
            if (!converter.taxonomies().contains(taxonomy)) {
                throw new ConfigException("dataset '" + d + "' uses taxonomy '" + taxonomy + "', which no taxonomy"
                        + " provider defines (known: " + String.join(", ", converter.taxonomies().names()) + "). Add"
                        + " the plugin that defines it to the plugin folder, or fix the dataset definition");
            }
            try {
                switch (target) {
                    case UNIVERSAL -> {
                        converter.toUniversal(taxonomy);
                        excluded.put(d, excludedUniversalIds(def, defs, converter));
                    }
                    case NAIVE -> {
                        converter.toNaive(taxonomy);
                        excluded.put(d, Set.of());
                    }
                    case OWN -> excluded.put(d, Set.of());
                    default -> throw new IllegalStateException(target.toString());
                }
            } catch (MsegException e) {
                throw new ConfigException("dataset '" + d + "' (taxonomy '" + taxonomy + "') cannot be trained in the "
                        + target.name().toLowerCase(java.util.Locale.ROOT) + " taxonomy: " + e.getMessage(), e);
            }
        }
        return switch (target) {
            case NAIVE -> new TrainingTaxonomy(converter.naive().name(), converter.naive().classNames(), excluded);
            case UNIVERSAL -> new TrainingTaxonomy(converter.universal().name(), converter.universal().classNames(),
                    excluded);
            case OWN -> {
                TaxonomyDefinition own = converter.taxonomy(defs.get(datasets.get(0)).taxonomy());
                yield new TrainingTaxonomy(own.name(), own.classNames(), excluded);
            }
        };
    }

    /**
     * Universal ids the dataset cannot produce. A relabeled dataset ({@link DatasetDefinition#relabeledFrom()} names
     * {@code X}) is scored like upstream: with the ids {@code X} cannot produce, taken from {@code X}'s taxonomy, when
     * {@code X} is registered; otherwise with its own taxonomy's.
     */
    private static Set<Integer> excludedUniversalIds(DatasetDefinition def, Registry<DatasetDefinition> defs,
            TaxonomyConverter converter) {
        Optional<DatasetDefinition> counterpart = def.relabeledFrom().flatMap(defs::find);
        if (counterpart.isPresent() && converter.taxonomies().contains(counterpart.get().taxonomy())) {
            try {
                return converter.excludedUniversalIds(counterpart.get().taxonomy());
            } catch (MsegException e) {
                // the counterpart's taxonomy has no universal mapping: score with the relabeled taxonomy itself
            }
        }
        return converter.excludedUniversalIds(def.taxonomy());
    }
}
