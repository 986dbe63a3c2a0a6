package org.mseg.ccsa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mseg.api.ConfigException;

/** {@code TRAIN.ccsa_*} options: MSeg's defaults, parsing, and errors that name the key. */
class CcsaOptionsTest {

    @Test
    void defaultsAreMsegs() {
        CcsaOptions options = CcsaOptions.fromMap(Map.of());
        assertEquals(CcsaOptions.defaults(), options);
        assertEquals(0.25, options.alpha());
        assertEquals(100, options.numPositivePairs());
        assertEquals(1.0, options.margin());
        assertEquals(3, options.negativesPerPositive());
        assertEquals(300, options.numNegativePairs());
    }

    @Test
    void readsNumbersAndNumericStrings() {
        CcsaOptions options = CcsaOptions.fromMap(Map.of("TRAIN.ccsa_alpha", 0.5, "TRAIN.ccsa_num_pos_pairs", "1000",
                "TRAIN.ccsa_margin", "2", "TRAIN.ccsa_neg_to_pos_ratio", 4.0));
        assertEquals(new CcsaOptions(0.5, 1000, 2.0, 4), options);
        assertEquals(10_000, CcsaOptions.fromMap(Map.of("TRAIN.ccsa_num_pos_pairs", 10_000L)).numPositivePairs());
    }

    @Test
    void alphaZeroIsAllowed() {
        assertEquals(0.0, CcsaOptions.fromMap(Map.of("TRAIN.ccsa_alpha", 0)).alpha());
    }

    @Test
    void unknownKeySuggestsTheClosestOne() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> CcsaOptions.fromMap(Map.of("TRAIN.ccsa_aplha", 0.5)));
        assertTrue(e.getMessage().contains("TRAIN.ccsa_aplha"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean TRAIN.ccsa_alpha?"), e.getMessage());
    }

    @Test
    void errorsNameTheKey() {
        assertMessageNames("TRAIN.ccsa_alpha", Map.of("TRAIN.ccsa_alpha", 1.5));
        assertMessageNames("TRAIN.ccsa_alpha", Map.of("TRAIN.ccsa_alpha", "a quarter"));
        assertMessageNames("TRAIN.ccsa_num_pos_pairs", Map.of("TRAIN.ccsa_num_pos_pairs", 0));
        assertMessageNames("TRAIN.ccsa_num_pos_pairs", Map.of("TRAIN.ccsa_num_pos_pairs", 2.5));
        assertMessageNames("TRAIN.ccsa_num_pos_pairs", Map.of("TRAIN.ccsa_num_pos_pairs", true));
        assertMessageNames("TRAIN.ccsa_margin", Map.of("TRAIN.ccsa_margin", -1));
        assertMessageNames("TRAIN.ccsa_margin", Map.of("TRAIN.ccsa_margin", Double.NaN));
        assertMessageNames("TRAIN.ccsa_neg_to_pos_ratio", Map.of("TRAIN.ccsa_neg_to_pos_ratio", 0));
        assertMessageNames("TRAIN.ccsa_alpha", Map.of("TRAIN.ccsa_alpha", 0.5, "ccsa_alpha", 0.5));
    }

    @Test
    void emptyValuesTakeTheDefaults() {
        Map<String, Object> empty = new HashMap<>();
        empty.put("TRAIN.ccsa_margin", null);
        empty.put("TRAIN.ccsa_alpha", " ");
        assertEquals(CcsaOptions.defaults(), CcsaOptions.fromMap(empty));
    }

    @Test
    void bareKeysAreAcceptedAndOtherComponentsKeysLeftAlone() {
        CcsaOptions options = CcsaOptions.fromMap(Map.of("ccsa_alpha", 0.1, "TRAIN.base_lr", 0.01, "mgda_mode", "x"));
        assertEquals(0.1, options.alpha());
        ConfigException e = assertThrows(ConfigException.class,
                () -> CcsaOptions.fromMap(Map.of("ccsa_margn", 2)));
        assertTrue(e.getMessage().contains("did you mean TRAIN.ccsa_margin?"), e.getMessage());
    }

    private static void assertMessageNames(String key, Map<String, ?> options) {
        ConfigException e = assertThrows(ConfigException.class, () -> CcsaOptions.fromMap(options));
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }

    @Test
    void keysAreTheDocumentedOnes() {
        assertEquals(java.util.Set.of("TRAIN.ccsa_alpha", "TRAIN.ccsa_num_pos_pairs", "TRAIN.ccsa_margin",
                "TRAIN.ccsa_neg_to_pos_ratio"), CcsaOptions.KEYS);
    }
}
