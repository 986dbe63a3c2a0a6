package org.mseg.mgda;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mseg.api.model.ModelProvider;
import org.mseg.api.model.ModelSpec;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.engine.testkit.StrategyContract;

/** {@code --strategy mgda} meets the strategy contract with a tiny HRNet, in both of its modes. */
class MgdaStrategyContractTest {

    /** The {@code hrnet} provider as the engine finds it (this module does not read {@code org.mseg.hrnet}). */
    private static final ModelProvider HRNET = PluginEnvironment.boot().models().get("hrnet");

    private static final List<DatasetSlice> SLICES = List.of(new DatasetSlice("alpha", 0, 1),
            new DatasetSlice("beta", 1, 1));

    @Test
    void mgdaOnParametersMeetsTheStrategyContract() {
        StrategyContract.check(new MgdaStrategyProvider(), Map.of(), HRNET,
                new ModelSpec("hrnet", "tiny", 5), 17, 17, SLICES);
    }

    @Test
    void mgdaOnTheRepresentationMeetsTheStrategyContract() {
        StrategyContract.check(new MgdaStrategyProvider(), Map.of("mgda_mode", "rep"), HRNET,
                new ModelSpec("hrnet", "tiny", 5), 17, 17, SLICES);
    }
}
