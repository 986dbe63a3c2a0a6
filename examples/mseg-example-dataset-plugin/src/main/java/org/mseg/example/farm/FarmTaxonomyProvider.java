package org.mseg.example.farm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mseg.api.taxonomy.TaxonomyDefinition;
import org.mseg.api.taxonomy.TaxonomyKind;
import org.mseg.api.taxonomy.TaxonomyProvider;

/**
 * The {@code farm-5} taxonomy: five classes in id order, each mapped to the universal class it is, so that MSeg can
 * train on farm images together with its own datasets and evaluate universal models on them.
 */
public final class FarmTaxonomyProvider implements TaxonomyProvider {
    /** Name of the taxonomy (and of the dataset). */
    public static final String NAME = "farm-5";

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public FarmTaxonomyProvider() {
    }

    @Override
    public String name() {
        return "farm";
    }

    @Override
    public String description() {
        return "Example plugin: the farm-5 taxonomy";
    }

    @Override
    public List<TaxonomyDefinition> taxonomies() {
        // Class id = position; the universal names are those of MSeg's universal taxonomy (MSeg_master.tsv).
        Map<String, String> toUniversal = new LinkedHashMap<>();
        toUniversal.put("sky", "sky");
        toUniversal.put("grass", "terrain");
        toUniversal.put("road", "road");
        toUniversal.put("cow", "cow");
        toUniversal.put("person", "person");
        return List.of(new TaxonomyDefinition(NAME, TaxonomyKind.TRAINING, List.copyOf(toUniversal.keySet()),
                toUniversal, Map.of(), "Farm scenes, 5 classes (example plugin)"));
    }
}
