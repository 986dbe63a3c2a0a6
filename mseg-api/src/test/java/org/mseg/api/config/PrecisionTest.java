package org.mseg.api.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.mseg.api.ConfigException;

class PrecisionTest {

    @Test
    void apexOptLevelsMapOntoPrecisions() {
        assertEquals(Precision.FP32, Precision.fromOptLevel("O0"));
        assertEquals(Precision.FP16, Precision.fromOptLevel("O1"));
        assertEquals(Precision.FP16, Precision.fromOptLevel("O2"));
        assertEquals(Precision.FP16_PURE, Precision.fromOptLevel("O3"));
        assertTrue(Precision.FP16.mixed());
        assertTrue(Precision.BF16.mixed());
        assertFalse(Precision.FP16_PURE.mixed());
        assertThrows(ConfigException.class, () -> Precision.fromOptLevel("O4"));
    }

    @Test
    void configNamesRoundTripAndMisspellingsAreHinted() {
        for (Precision p : Precision.values()) {
            assertEquals(p, Precision.fromConfigName(p.configName()));
        }
        ConfigException e = assertThrows(ConfigException.class, () -> Precision.fromConfigName("bf61"));
        assertTrue(e.getMessage().contains("did you mean bf16?"), e.getMessage());
    }
}
