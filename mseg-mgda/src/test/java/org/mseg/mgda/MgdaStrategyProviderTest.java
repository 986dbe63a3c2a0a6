package org.mseg.mgda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mseg.api.ConfigException;
import org.mseg.api.config.BundledConfigs;
import org.mseg.api.config.ConfigSchema;
import org.mseg.api.config.MsegConfig;
import org.mseg.api.model.Backend;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.testkit.ProviderRegistration;
import org.mseg.api.train.TrainingStrategy;
import org.mseg.api.train.TrainingStrategyProvider;
import org.mseg.engine.GraphTrainingStrategy;

/** {@code --strategy mgda}: registration on the module path and the class path, discovery, options, the engine view. */
class MgdaStrategyProviderTest {

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
        ProviderRegistration.check(TrainingStrategyProvider.class, MgdaStrategyProvider.class);
    }

    @Test
    void discoveredByThePluginEnvironmentAsMgda() {
        TrainingStrategyProvider provider = PluginEnvironment.boot().strategies().get("mgda");
        assertEquals(MgdaStrategyProvider.class, provider.getClass());
        assertEquals("mgda", provider.name());
        assertTrue(provider.description().contains("min-norm"), provider.description());
        assertEquals(Set.of("TRAIN.mgda_mode", "TRAIN.mgda_normalization"), provider.configKeys());
    }

    @Test
    void createsTheStrategyWithParsedOptions() {
        TrainingStrategy strategy = new MgdaStrategyProvider()
                .create(Map.of("mgda_mode", "rep", "TRAIN.mgda_normalization", "loss+"), NO_BACKEND);
        assertEquals("mgda", strategy.name());
        MgdaStrategy mgda = strategy.unwrap(MgdaStrategy.class);
        assertEquals(new MgdaOptions(MgdaMode.REP, GradientNormalization.LOSS_PLUS), mgda.options());
        assertSame(mgda, strategy.unwrap(GraphTrainingStrategy.class));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> strategy.unwrap(String.class));
        assertTrue(e.getMessage().contains(GraphTrainingStrategy.class.getName()), e.getMessage());
        assertEquals(MgdaOptions.defaults(),
                new MgdaStrategyProvider().create(Map.of(), NO_BACKEND).unwrap(MgdaStrategy.class).options());
    }

    @Test
    void invalidOptionFailsAtCreationNamingTheKeyAndTheValidValues() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new MgdaStrategyProvider().create(Map.of("mgda_normalization", "l3"), NO_BACKEND));
        assertTrue(e.getMessage().contains("TRAIN.mgda_normalization"), e.getMessage());
        assertTrue(e.getMessage().contains("none, l2, loss, loss+"), e.getMessage());
    }

    @Test
    void theMgdaReleaseConfigValidatesWithTheStrategyKeys() {
        ConfigSchema schema = ConfigSchema.training().withExtraKeys(new MgdaStrategyProvider().configKeys());
        MsegConfig c = BundledConfigs.load("train/1080_release/mseg-mgda")
                .withOverrides(List.of("TRAIN.mgda_mode=rep", "TRAIN.mgda_normalization=l2"), schema);
        MsegConfig resolved = schema.validate(c);
        assertEquals("rep", resolved.getString("mgda_mode"));
        assertEquals(new MgdaOptions(MgdaMode.REP, GradientNormalization.L2),
                MgdaOptions.fromMap(Map.of("mgda_mode", resolved.get("mgda_mode"),
                        "mgda_normalization", resolved.get("mgda_normalization"))));
    }
}
