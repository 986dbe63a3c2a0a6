package org.mseg.mgda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mseg.api.ConfigException;

/** Reading {@code TRAIN.mgda_*} values: defaults, both key forms, and messages that name the key. */
class MgdaOptionsTest {

    @Test
    void defaultsAreMsegsParamsModeWithoutNormalization() {
        MgdaOptions o = MgdaOptions.fromMap(Map.of("base_lr", 0.01, "ccsa_alpha", 0.3));
        assertEquals(MgdaMode.PARAMS, o.mode());
        assertEquals(GradientNormalization.NONE, o.normalization());
        assertEquals(MgdaOptions.defaults(), o);
    }

    @Test
    void readsQualifiedAndBareKeysAndTreatsEmptyValuesAsDefaults() {
        assertEquals(MgdaMode.REP, MgdaOptions.fromMap(Map.of("TRAIN.mgda_mode", "rep")).mode());
        assertEquals(GradientNormalization.LOSS, MgdaOptions.fromMap(Map.of("mgda_normalization", "loss")).normalization());
        Map<String, Object> empty = new HashMap<>();
        empty.put("mgda_mode", null);
        empty.put("mgda_normalization", " ");
        assertEquals(MgdaOptions.defaults(), MgdaOptions.fromMap(empty));
    }

    @Test
    void unknownMgdaKeyFailsWithAHint() {
        ConfigException e = assertThrows(ConfigException.class, () -> MgdaOptions.fromMap(Map.of("mgda_mdoe", "rep")));
        assertTrue(e.getMessage().contains("did you mean TRAIN.mgda_mode?"), e.getMessage());
    }

    @Test
    void invalidValuesNameTheKey() {
        ConfigException mode = assertThrows(ConfigException.class,
                () -> MgdaOptions.fromMap(Map.of("mgda_mode", "parms")));
        assertTrue(mode.getMessage().startsWith("TRAIN.mgda_mode: "), mode.getMessage());
        assertTrue(mode.getMessage().contains("did you mean params?"), mode.getMessage());
        ConfigException number = assertThrows(ConfigException.class,
                () -> MgdaOptions.fromMap(Map.of("mgda_normalization", 2)));
        assertTrue(number.getMessage().contains("TRAIN.mgda_normalization must be a name"), number.getMessage());
        ConfigException twice = assertThrows(ConfigException.class,
                () -> MgdaOptions.fromMap(Map.of("mgda_mode", "rep", "TRAIN.mgda_mode", "params")));
        assertTrue(twice.getMessage().contains("given twice"), twice.getMessage());
    }
}
