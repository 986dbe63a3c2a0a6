package org.mseg.hrnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mseg.api.ConfigException;
import org.mseg.api.model.LayerSummary;
import org.mseg.api.model.ModelProvider;
import org.mseg.api.model.ModelSpec;
import org.mseg.api.plugin.PluginEnvironment;

class HrnetModelProviderTest {

    private static ModelProvider hrnet() {
        return PluginEnvironment.boot().models().get("hrnet");
    }

    @Test
    void hrnetIsDiscoveredThroughTheModelSpi() {
        ModelProvider p = hrnet();
        assertEquals("tensorflow", p.backend());
        assertTrue(p.variants().containsAll(List.of("w48", "w32", "w18", "tiny")), p.variants().toString());
        assertEquals(65_985_554L, p.parameterCount("w48", 194));
    }

    @Test
    void summaryRowsAddUpToTheParameterCount() {
        List<LayerSummary> rows = hrnet().summary(new ModelSpec("hrnet", "tiny", 5), 33, 33);
        assertEquals(HrnetSpec.tiny().parameterCount(5), rows.stream().mapToLong(LayerSummary::parameters).sum());
        assertTrue(rows.stream().anyMatch(r -> r.name().equals("last_layer.3")), rows.toString());
    }

    @Test
    void unknownVariantsAndBadSizesAreConfigurationErrors() {
        ConfigException v = assertThrows(ConfigException.class, () -> hrnet().parameterCount("w64", 194));
        assertTrue(v.getMessage().contains("w48"), v.getMessage());
        assertThrows(ConfigException.class, () -> hrnet().summary(new ModelSpec("hrnet", "tiny", 5), 32, 33));
    }
}
