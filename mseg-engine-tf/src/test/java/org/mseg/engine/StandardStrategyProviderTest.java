package org.mseg.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.train.TrainingStrategy;
import org.mseg.api.train.TrainingStrategyProvider;

/** {@code standard} is found like any plugin, registered in module-info and in META-INF/services. */
class StandardStrategyProviderTest {

    @Test
    void standardIsDiscoveredByName() {
        TrainingStrategyProvider p = PluginEnvironment.boot().strategies().get("standard");
        TrainingStrategy s = p.create(Map.of(), null);
        assertEquals("standard", s.name());
        assertInstanceOf(GraphTrainingStrategy.class, s.unwrap(GraphTrainingStrategy.class));
    }

    @Test
    void servicesFileRegistersTheProvider() throws IOException {
        try (InputStream in = StandardStrategyProvider.class.getResourceAsStream(
                "/META-INF/services/org.mseg.api.train.TrainingStrategyProvider")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(text.contains(StandardStrategyProvider.class.getName()), text);
        }
    }
}
