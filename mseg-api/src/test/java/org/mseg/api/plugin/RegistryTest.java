package org.mseg.api.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mseg.api.PluginException;

class RegistryTest {
    private static final Origin A = new Origin("com.example.a", "1.0", "/plugins/a.jar", "com.example.a.Impl");
    private static final Origin B = new Origin("com.example.b", "2.0", "/plugins/b.jar", "com.example.b.Impl");

    @Test
    void looksUpByNameInRegistrationOrder() {
        Registry<String> r = Registry.of("dataset", List.of(new Registration<>("cityscapes-19", "C", A),
                new Registration<>("bdd", "B", B)));
        assertEquals("C", r.get("cityscapes-19"));
        assertEquals(List.of("cityscapes-19", "bdd"), r.names());
        assertEquals(B, r.registration("bdd").origin());
        assertTrue(r.find("kitti-19").isEmpty());
    }

    @Test
    void duplicateNamesFailNamingBothModules() {
        PluginException e = assertThrows(PluginException.class, () -> Registry.of("dataset",
                List.of(new Registration<>("bdd", "1", A), new Registration<>("bdd", "2", B))));
        assertTrue(e.getMessage().contains("Duplicate dataset 'bdd'"), e.getMessage());
        assertTrue(e.getMessage().contains("com.example.a (/plugins/a.jar)"), e.getMessage());
        assertTrue(e.getMessage().contains("com.example.b (/plugins/b.jar)"), e.getMessage());
    }

    @Test
    void unknownNamesFailListingTheAvailableOnesAndTheClosest() {
        Registry<String> r = Registry.of("strategy", List.of(new Registration<>("standard", "s", A),
                new Registration<>("mgda", "m", A), new Registration<>("ccsa", "c", A)));
        PluginException e = assertThrows(PluginException.class, () -> r.get("mdga"));
        assertEquals("Unknown strategy 'mdga'. Available: standard, mgda, ccsa. Did you mean 'mgda'?", e.getMessage());
        PluginException far = assertThrows(PluginException.class, () -> r.get("adam"));
        assertTrue(far.getMessage().endsWith("Available: standard, mgda, ccsa."), far.getMessage());
    }

    @Test
    void editDistanceCountsSingleEdits() {
        assertEquals(0, Names.distance("base_lr", "base_lr"));
        assertEquals(1, Names.distance("bsae_lr", "base_lr"), "a swap of adjacent letters is one edit");
        assertEquals(2, Names.distance("lr_base", "lr_bsea"));
        assertEquals(1, Names.distance("cityscape-19", "cityscapes-19"));
        assertEquals("base_lr", Names.closest("bsae_lr", List.of("base_lr", "power", "momentum")).orElseThrow());
    }
}
