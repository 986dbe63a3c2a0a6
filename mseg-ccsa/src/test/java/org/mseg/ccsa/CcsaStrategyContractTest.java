package org.mseg.ccsa;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mseg.api.model.ModelProvider;
import org.mseg.api.model.ModelSpec;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.engine.testkit.StrategyContract;

/** {@code --strategy ccsa} meets the strategy contract with a tiny HRNet (20 positive pairs per step). */
class CcsaStrategyContractTest {

    /** The {@code hrnet} provider as the engine finds it (this module does not read {@code org.mseg.hrnet}). */
    private static final ModelProvider HRNET = PluginEnvironment.boot().models().get("hrnet");

    @Test
    void ccsaMeetsTheStrategyContract() {
        StrategyContract.check(new CcsaStrategyProvider(), Map.of("ccsa_num_pos_pairs", 20),
                HRNET, new ModelSpec("hrnet", "tiny", 5), 17, 17,
                List.of(new DatasetSlice("alpha", 0, 2), new DatasetSlice("beta", 2, 2)));
    }
}
