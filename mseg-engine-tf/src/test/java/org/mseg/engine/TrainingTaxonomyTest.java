package org.mseg.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mseg.api.ConfigException;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.dataset.LabelEncoding;
import org.mseg.api.dataset.SplitDefinition;
import org.mseg.api.plugin.Origin;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.plugin.Registration;
import org.mseg.api.plugin.Registry;
import org.mseg.api.taxonomy.TaxonomyDefinition;
import org.mseg.api.taxonomy.TaxonomyKind;
import org.mseg.datasets.loader.LabelTarget;
import org.mseg.taxonomy.TaxonomyConverter;

/**
 * A run finds each dataset's taxonomy through the dataset definition, not under the dataset's name: a plugin's
 * dataset {@code toy-roads} labelled in the taxonomy {@code toy-roads-3} trains and validates in the universal and in
 * its own taxonomy, and a dataset whose taxonomy is missing fails before the first step, naming both.
 */
class TrainingTaxonomyTest {
    private static final PluginEnvironment BOOT = PluginEnvironment.boot();
    private static final Origin TEST = Origin.of(TrainingTaxonomyTest.class);

    private static final TaxonomyDefinition TOY_ROADS_3 = new TaxonomyDefinition("toy-roads-3",
            TaxonomyKind.TRAINING, List.of("road", "sidewalk", "car"), orderedMap("road", "road", "sidewalk",
                    "sidewalk_pavement", "car", "car"), Map.of(), "test: three road classes");

    private static Map<String, String> orderedMap(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static DatasetDefinition dataset(String name, String taxonomy) {
        return new DatasetDefinition(name, taxonomy, "ToyRoads", List.of(SplitDefinition.labeled("train"),
                SplitDefinition.labeled("val")), LabelEncoding.values()[0], "test dataset");
    }

    /** The built-in datasets plus the given ones, in an explicit registry. */
    private static Registry<DatasetDefinition> datasets(DatasetDefinition... extra) {
        List<Registration<DatasetDefinition>> all = new ArrayList<>(BOOT.datasets().registrations());
        for (DatasetDefinition d : extra) {
            all.add(new Registration<>(d.name(), d, TEST));
        }
        return Registry.of("dataset", all);
    }

    /** The built-in taxonomies plus toy-roads-3. */
    private static TaxonomyConverter converter() {
        List<Registration<TaxonomyDefinition>> all = new ArrayList<>(BOOT.taxonomies().registrations());
        all.add(new Registration<>(TOY_ROADS_3.name(), TOY_ROADS_3, TEST));
        return TaxonomyConverter.of(Registry.of("taxonomy", all), List.of());
    }

    @Test
    void aDatasetWhoseTaxonomyHasAnotherNameTrainsInTheUniversalTaxonomy() {
        TaxonomyConverter converter = converter();
        TrainingTaxonomy t = TrainingTaxonomy.resolve(LabelTarget.UNIVERSAL, List.of("toy-roads", "bdd-relabeled"),
                datasets(dataset("toy-roads", "toy-roads-3")), converter);
        assertEquals("universal", t.name());
        assertEquals(converter.universal().numClasses(), t.classNames().size());
        Set<Integer> excluded = t.excludedIds().get("toy-roads");
        assertEquals(converter.universal().numClasses() - 3, excluded.size(), "all but road, sidewalk and car");
        assertTrue(!excluded.contains(converter.universal().idOf("car")));
        assertEquals(converter.excludedUniversalIds("bdd"), t.excludedIds().get("bdd-relabeled"),
                "a relabeled dataset is scored with its unrelabeled counterpart's classes, as before");
    }

    @Test
    void aDatasetWhoseTaxonomyHasAnotherNameTrainsInItsOwnTaxonomy() {
        TrainingTaxonomy t = TrainingTaxonomy.resolve(LabelTarget.OWN, List.of("toy-roads"),
                datasets(dataset("toy-roads", "toy-roads-3")), converter());
        assertEquals("toy-roads-3", t.name());
        assertEquals(List.of("road", "sidewalk", "car"), t.classNames());
    }

    @Test
    void aMissingTaxonomyFailsBeforeTrainingNamingTheDatasetAndTheTaxonomy() {
        ConfigException e = assertThrows(ConfigException.class, () -> TrainingTaxonomy.resolve(LabelTarget.UNIVERSAL,
                List.of("bdd-relabeled", "toy-lanes"), datasets(dataset("toy-lanes", "toy-lanes-7")), converter()));
        assertTrue(e.getMessage().contains("dataset 'toy-lanes' uses taxonomy 'toy-lanes-7', which no taxonomy"
                + " provider defines"), e.getMessage());
    }
}
