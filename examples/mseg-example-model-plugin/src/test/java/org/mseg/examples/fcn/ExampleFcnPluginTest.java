package org.mseg.examples.fcn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.ConfigException;
import org.mseg.api.model.Backend;
import org.mseg.api.model.ModelProvider;
import org.mseg.api.model.ModelSpec;
import org.mseg.api.model.SegmentationModel;
import org.mseg.api.plugin.Origin;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.plugin.Registration;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.engine.testkit.ModelProviderContract;
import org.mseg.engine.testkit.StrategyContract;

/**
 * The plugin jar on a class loader's class path (found through {@code META-INF/services}) adds {@code example-fcn} to
 * the model providers, and that provider meets the engine's model provider contract and trains with the
 * {@code standard} strategy under the strategy contract, exactly as the built-in {@code hrnet} does.
 */
class ExampleFcnPluginTest {

    private static final List<DatasetSlice> SLICES = List.of(new DatasetSlice("alpha", 0, 1),
            new DatasetSlice("beta", 1, 1));

    /** Runs {@code body} with the environment of the test class path plus the plugin jar. */
    private static void withPlugin(Path dir, PluginBody body) throws Exception {
        Path jar = PluginJar.build(dir, "mseg-example-model-plugin.jar");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                ExampleFcnPluginTest.class.getClassLoader())) {
            PluginEnvironment env = PluginEnvironment.of(ModuleLayer.boot(), loader);
            body.run(env, jar);
        }
    }

    @FunctionalInterface
    private interface PluginBody {
        void run(PluginEnvironment env, Path jar) throws Exception;
    }

    @Test
    void withoutTheJarThereIsNoExampleFcn() {
        PluginEnvironment env = PluginEnvironment.of(ModuleLayer.boot(), ExampleFcnPluginTest.class.getClassLoader());
        assertFalse(env.models().contains(FcnModelProviderName.NAME));
    }

    @Test
    void onTheClassPathTheJarAddsExampleFcnWithItsConfigKey(@TempDir Path dir) throws Exception {
        withPlugin(dir, (env, jar) -> {
            Registration<ModelProvider> r = env.models().registration(FcnModelProviderName.NAME);
            assertEquals(Origin.CLASS_PATH, r.origin().module());
            assertEquals(jar.toString(), r.origin().location());
            assertEquals(List.of("small", "tiny"), r.value().variants());
            assertTrue(env.pluginConfigKeys().contains("TRAIN.fcn_width"), "config validation accepts the key");
        });
    }

    @Test
    void exampleFcnMeetsTheModelProviderContract(@TempDir Path dir) throws Exception {
        withPlugin(dir, (env, jar) -> {
            ModelProvider fcn = env.models().get(FcnModelProviderName.NAME);
            ModelProviderContract.check(fcn, 33, 33, 5);
            // the other variant, a width from the configuration and a size HRNet would refuse
            ModelProviderContract.check(fcn, new ModelSpec(fcn.name(), "tiny", 3, Map.of("fcn_width", 8)), 20, 12);
        });
    }

    @Test
    void exampleFcnTrainsWithTheStandardStrategyUnderTheStrategyContract(@TempDir Path dir) throws Exception {
        withPlugin(dir, (env, jar) -> StrategyContract.check(env.strategies().get("standard"), Map.of(),
                env.models().get(FcnModelProviderName.NAME), new ModelSpec(FcnModelProviderName.NAME, "small", 5),
                16, 16, SLICES));
    }

    @Test
    void theContractCatchesAProviderThatMiscountsItsParameters(@TempDir Path dir) throws Exception {
        withPlugin(dir, (env, jar) -> {
            ModelProvider fcn = env.models().get(FcnModelProviderName.NAME);
            ModelProvider lying = new Delegating(fcn) {
                @Override
                public long parameterCount(String variant, int numClasses) {
                    return fcn.parameterCount(variant, numClasses) + 1;
                }
            };
            AssertionError e = assertThrows(AssertionError.class, () -> ModelProviderContract.check(lying, 16, 16,
                    3));
            assertTrue(e.getMessage().contains("parameterCount(\"small\", 3)"), e.getMessage());
            assertTrue(e.getMessage().contains("provider 'example-fcn'"), e.getMessage());
        });
    }

    @Test
    void theContractCatchesParametersThatDoNotReadBackFromJson(@TempDir Path dir) throws Exception {
        withPlugin(dir, (env, jar) -> {
            ModelProvider fcn = env.models().get(FcnModelProviderName.NAME);
            ModelProvider integers = new Delegating(fcn) {
                @Override
                public Map<String, Object> checkpointParameters(ModelSpec spec) {
                    Map<String, Object> m = new java.util.LinkedHashMap<>();
                    fcn.checkpointParameters(spec).forEach((k, x) -> m.put(k, x instanceof Long l ? l.intValue() : x));
                    return m;
                }
            };
            AssertionError e = assertThrows(AssertionError.class, () -> ModelProviderContract.check(integers, 16, 16,
                    3));
            assertTrue(e.getMessage().contains("reads back from checkpoint.json"), e.getMessage());
        });
    }

    @Test
    void widthAndVariantErrorsNameTheKey(@TempDir Path dir) throws Exception {
        withPlugin(dir, (env, jar) -> {
            ModelProvider fcn = env.models().get(FcnModelProviderName.NAME);
            ConfigException width = assertThrows(ConfigException.class, () -> fcn.checkpointParameters(
                    new ModelSpec(fcn.name(), "small", 3, Map.of("fcn_width", "wide"))));
            assertTrue(width.getMessage().contains("TRAIN.fcn_width"), width.getMessage());
            ConfigException unknown = assertThrows(ConfigException.class, () -> fcn.checkpointParameters(
                    new ModelSpec(fcn.name(), "small", 3, Map.of("fcn_depth", 3))));
            assertTrue(unknown.getMessage().contains("TRAIN.fcn_width"), unknown.getMessage());
            ConfigException small = assertThrows(ConfigException.class, () -> fcn.checkInputSize(
                    new ModelSpec(fcn.name(), "small", 3), 7, 33));
            assertTrue(small.getMessage().contains("7x33"), small.getMessage());
            assertEquals(Map.of("fcn_width", 16L), Map.of("fcn_width",
                    ((Number) fcn.checkpointParameters(new ModelSpec(fcn.name(), "small", 3)).get("fcn_width"))
                            .longValue()));
        });
    }

    /** Forwards every method to another provider. */
    private static class Delegating implements ModelProvider {
        private final ModelProvider p;

        Delegating(ModelProvider p) {
            this.p = p;
        }

        @Override
        public String name() {
            return p.name();
        }

        @Override
        public String description() {
            return p.description();
        }

        @Override
        public List<String> variants() {
            return p.variants();
        }

        @Override
        public String backend() {
            return p.backend();
        }

        @Override
        public Set<String> configKeys() {
            return p.configKeys();
        }

        @Override
        public long parameterCount(String variant, int numClasses) {
            return p.parameterCount(variant, numClasses);
        }

        @Override
        public Map<String, Object> checkpointParameters(ModelSpec spec) {
            return p.checkpointParameters(spec);
        }

        @Override
        public void checkInputSize(ModelSpec spec, int height, int width) {
            p.checkInputSize(spec, height, width);
        }

        @Override
        public SegmentationModel create(ModelSpec spec, Backend backend) {
            return p.create(spec, backend);
        }
    }

    /** The architecture name (the provider class itself is only in the jar). */
    static final class FcnModelProviderName {
        static final String NAME = "example-fcn";

        private FcnModelProviderName() {
        }
    }
}
