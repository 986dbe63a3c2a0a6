package org.mseg.examples.fcn;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.mseg.api.model.ModelProvider;
import org.mseg.api.model.ModelSpec;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.plugin.Registration;
import org.mseg.api.testkit.ProviderRegistration;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.engine.testkit.ModelProviderContract;
import org.mseg.engine.testkit.StrategyContract;

/**
 * Run in a fresh JVM whose module path holds MSeg's engine and its dependencies only: loads the plugin folder given
 * as the argument the way {@code mseg-cli --plugin-dir} does, prints where {@code example-fcn} came from, checks that
 * it is registered both ways, and runs the model provider and strategy contracts against it. Exits non-zero (with the
 * assertion's message) on any failure.
 */
public final class ModulePathProbe {
    private ModulePathProbe() {
    }

    /** Entry point; the argument is the plugin folder. */
    public static void main(String[] args) {
        PluginEnvironment env = PluginEnvironment.withPluginFolders(List.of(Path.of(args[0])));
        Registration<ModelProvider> r = env.models().registration("example-fcn");
        System.out.println("provider|" + r.name() + "|" + r.origin().module() + "|" + r.origin().location());
        ModelProvider fcn = r.value();
        ProviderRegistration.check(ModelProvider.class, fcn.getClass());
        System.out.println("registration|ok");
        ModelProviderContract.check(fcn, 33, 33, 5);
        System.out.println("model-contract|ok");
        StrategyContract.check(env.strategies().get("standard"), Map.of(), fcn,
                new ModelSpec(fcn.name(), "small", 5), 16, 16,
                List.of(new DatasetSlice("alpha", 0, 1), new DatasetSlice("beta", 1, 1)));
        System.out.println("strategy-contract|ok");
    }
}
