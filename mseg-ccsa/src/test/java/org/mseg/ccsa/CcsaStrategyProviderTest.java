package org.mseg.ccsa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mseg.api.ConfigException;
import org.mseg.api.model.Backend;
import org.mseg.api.testkit.ProviderRegistration;
import org.mseg.api.train.TrainingStrategy;
import org.mseg.api.train.TrainingStrategyProvider;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.engine.GraphTrainingStrategy;

/** {@code --strategy ccsa}: registration on the module path and the class path, options, the engine view. */
class CcsaStrategyProviderTest {

    private static final Backend NO_BACKEND = new Backend() {
        @Override
        public String name() {
            return "none";
        }

        @Override
        public <T> T unwrap(Class<T> type) {
            throw new IllegalArgumentException("no " + type.getName());
        }
    };

    @Test
    void registeredInModuleInfoAndMetaInfServices() {
        ProviderRegistration.check(TrainingStrategyProvider.class, CcsaStrategyProvider.class);
    }

    @Test
    void providerIsNamedCcsaAndDeclaresItsKeys() {
        CcsaStrategyProvider provider = new CcsaStrategyProvider();
        assertEquals("ccsa", provider.name());
        assertEquals(CcsaOptions.KEYS, provider.configKeys());
        assertTrue(provider.configKeys().stream().allMatch(k -> k.startsWith("TRAIN.ccsa_")));
    }

    @Test
    void createsTheStrategyWithParsedOptions() {
        TrainingStrategy strategy = new CcsaStrategyProvider()
                .create(Map.of("TRAIN.ccsa_alpha", 0.5, "TRAIN.ccsa_num_pos_pairs", 1000), NO_BACKEND);
        assertEquals("ccsa", strategy.name());
        CcsaStrategy ccsa = strategy.unwrap(CcsaStrategy.class);
        assertEquals(new CcsaOptions(0.5, 1000, 1.0, 3), ccsa.options());
        assertSame(ccsa, strategy.unwrap(GraphTrainingStrategy.class));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> strategy.unwrap(String.class));
        assertTrue(e.getMessage().contains(GraphTrainingStrategy.class.getName()), e.getMessage());
    }

    @Test
    void invalidOptionFailsAtCreationNamingTheKey() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new CcsaStrategyProvider().create(Map.of("TRAIN.ccsa_margin", 0), NO_BACKEND));
        assertTrue(e.getMessage().contains("TRAIN.ccsa_margin"), e.getMessage());
    }

    @Test
    void eachDatasetSliceIsADomain() {
        int[] domains = CcsaStrategy.domainsOf(List.of(new DatasetSlice("coco", 0, 2),
                new DatasetSlice("mapillary", 2, 1), new DatasetSlice("ade20k", 3, 3)));
        assertArrayEquals(new int[] {0, 0, 1, 2, 2, 2}, domains);
    }

    @Test
    void stepSeedsAreFixedPerStepAndDiffer() {
        assertEquals(CcsaStrategy.stepSeed(12), CcsaStrategy.stepSeed(12));
        assertNotEquals(CcsaStrategy.stepSeed(12), CcsaStrategy.stepSeed(13));
    }
}
