package org.mseg.hrnet.engine;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mseg.api.model.ModelSpec;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.engine.StandardStrategyProvider;
import org.mseg.engine.testkit.StrategyContract;
import org.mseg.hrnet.provider.HrnetModelProvider;

/** The built-in {@code standard} strategy meets the strategy contract, with a tiny HRNet. */
class StandardStrategyContractTest {

    @Test
    void standardStrategyMeetsTheStrategyContract() {
        StrategyContract.check(new StandardStrategyProvider(), Map.of(), new HrnetModelProvider(),
                new ModelSpec(HrnetModelProvider.NAME, "tiny", 5), 17, 17,
                List.of(new DatasetSlice("alpha", 0, 1), new DatasetSlice("beta", 1, 1)));
    }
}
