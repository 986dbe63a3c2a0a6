package org.mseg.hrnet;

import org.junit.jupiter.api.Test;
import org.mseg.api.model.ModelSpec;
import org.mseg.engine.testkit.ModelProviderContract;
import org.mseg.hrnet.provider.HrnetModelProvider;

/** The built-in {@code hrnet} provider meets the same model provider contract as any plugin's. */
class HrnetModelProviderContractTest {

    @Test
    void tinyHrnetMeetsTheModelProviderContract() {
        ModelProviderContract.check(new HrnetModelProvider(), new ModelSpec(HrnetModelProvider.NAME, "tiny", 5), 33,
                33);
    }
}
