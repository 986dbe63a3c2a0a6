package org.mseg.mgda;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mseg.api.ConfigException;
import org.mseg.api.config.Precision;
import org.mseg.hrnet.Hrnet;
import org.mseg.hrnet.HrnetSpec;
import org.mseg.hrnet.HrnetGraphModel;
import org.mseg.engine.PolyLrSchedule;
import org.mseg.engine.Trainer;

/** MGDA and fp16 loss scaling do not mix; the refusal names the key and what works instead. */
class MgdaPrecisionTest {

    @Test
    void fp16IsRefusedSuggestingBf16() {
        ConfigException e = assertThrows(ConfigException.class, () -> Trainer.builder()
                .model(tf -> new HrnetGraphModel(Hrnet.create(tf, HrnetSpec.tiny(), ToyTraining.CLASSES, 7)))
                .slices(ToyTraining.SLICES)
                .crop(ToyTraining.SIZE, ToyTraining.SIZE)
                .schedule(new PolyLrSchedule(0.05, 2, 0.9))
                .strategy(new MgdaStrategy(MgdaOptions.defaults()), Map.of())
                .precision(Precision.FP16)
                .build());
        assertTrue(e.getMessage().contains("TRAIN.precision fp16") && e.getMessage().contains("bf16"),
                e.getMessage());
    }
}
