package org.mseg.datasets.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.dataset.DatasetProvider;
import org.mseg.api.dataset.LabelEncoding;
import org.mseg.api.dataset.SplitDefinition;
import org.mseg.api.plugin.Discovered;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.plugin.Registration;
import org.mseg.api.plugin.Registry;
import org.mseg.api.taxonomy.TaxonomyDefinition;
import org.mseg.api.taxonomy.TaxonomyKind;
import org.mseg.api.taxonomy.TaxonomyProvider;
import org.mseg.api.testkit.DatasetProviderContract;

/** MSeg's built-in providers, found by discovery like any plugin, meet the provider contract. */
class BuiltInProvidersContractTest {
    private static final PluginEnvironment ENV = PluginEnvironment.boot();

    private static Set<String> universalNames() {
        return new HashSet<>(ENV.taxonomies().get("universal").classNames());
    }

    @Test
    void everyBuiltInDatasetProviderMeetsTheContract() {
        List<Discovered<DatasetProvider>> providers = ENV.providers(DatasetProvider.class);
        assertFalse(providers.isEmpty());
        for (Discovered<DatasetProvider> d : providers) {
            assertEquals(List.of(), DatasetProviderContract.violations(d.provider(), ENV.taxonomies()));
        }
    }

    @Test
    void everyBuiltInTaxonomyProviderMeetsTheContract() {
        for (Discovered<TaxonomyProvider> d : ENV.providers(TaxonomyProvider.class)) {
            assertEquals(List.of(), DatasetProviderContract.violations(d.provider(), universalNames()));
        }
    }

    /** A provider with one of each defect the contract knows. */
    private static final class Broken implements DatasetProvider {
        @Override
        public String name() {
            return "Broken One";
        }

        @Override
        public List<DatasetDefinition> datasets() {
            SplitDefinition badList = new SplitDefinition("train", true, Optional.of(
                    BuiltInProvidersContractTest.class.getResource("BuiltInProvidersContractTest.class")));
            DatasetDefinition a = new DatasetDefinition("a", "no-such-taxonomy", "/abs", List.of(), LabelEncoding.GRAY8,
                    "a");
            DatasetDefinition b = new DatasetDefinition("a", "universal", "B", List.of(badList, badList),
                    LabelEncoding.GRAY8, "b");
            return List.of(a, b);
        }
    }

    @Test
    void theContractReportsEachDefect() {
        List<String> v = DatasetProviderContract.violations(new Broken(), ENV.taxonomies());
        String all = String.join("\n", v);
        assertTrue(all.contains("lower case without spaces"), all);
        assertTrue(all.contains("'no-such-taxonomy', which no taxonomy provider defines"), all);
        assertTrue(all.contains("must be a relative path"), all);
        assertTrue(all.contains("has no split"), all);
        assertTrue(all.contains("dataset 'a' is listed twice"), all);
        assertTrue(all.contains("lists split 'train' twice"), all);
        assertTrue(all.contains("line 1 is not '<image> <label>'"), all);

        List<String> tv = DatasetProviderContract.violations(new TaxonomyProvider() {
            @Override
            public String name() {
                return "t";
            }

            @Override
            public List<TaxonomyDefinition> taxonomies() {
                return List.of(new TaxonomyDefinition("t", TaxonomyKind.OTHER, List.of("sky", "grass"),
                        Map.of("sky", "sky", "grass", "grassland"), Map.of(), "t"));
            }
        }, universalNames());
        assertEquals(1, tv.size(), tv.toString());
        assertTrue(tv.get(0).contains("maps 'grass' to 'grassland', which is not a universal class"), tv.get(0));
        Registry<TaxonomyDefinition> none = Registry.of("taxonomy", List.<Registration<TaxonomyDefinition>>of());
        assertFalse(DatasetProviderContract.violations(new Broken(), none).isEmpty());
    }
}
