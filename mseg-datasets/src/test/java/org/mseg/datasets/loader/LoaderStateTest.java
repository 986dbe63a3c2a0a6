package org.mseg.datasets.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mseg.api.ConfigException;

class LoaderStateTest {
    private static final LoaderState STATE = new LoaderState(-4_611_686_018_427_387_904L, List.of(
            new LoaderState.StreamPosition("ade20k-150-relabeled", 3, 17),
            new LoaderState.StreamPosition("bdd-relabeled", 12, 0)));

    @Test
    void mapFormRoundTripsWithFullLongSeeds() {
        Map<String, Object> m = STATE.toMap();
        assertEquals(List.of("seed", "streams"), List.copyOf(m.keySet()));
        assertEquals(STATE, LoaderState.fromMap(m));
    }

    @Test
    void acceptsNumbersAsJsonAndYamlReadersReturnThem() {
        Map<String, Object> m = Map.of("seed", "12", "streams", List.of(
                Map.of("dataset", "bdd", "epoch", 2.0, "position", java.math.BigInteger.valueOf(5))));
        assertEquals(new LoaderState(12, List.of(new LoaderState.StreamPosition("bdd", 2, 5))),
                LoaderState.fromMap(m));
    }

    @Test
    void damagedStatesAreRejectedNamingTheKey() {
        ConfigException unknown = assertThrows(ConfigException.class,
                () -> LoaderState.fromMap(Map.of("seed", 1, "streams", List.of(), "sede", 2)));
        assertTrue(unknown.getMessage().contains("'sede'"), unknown.getMessage());
        ConfigException fraction = assertThrows(ConfigException.class, () -> LoaderState.fromMap(Map.of("seed", 1,
                "streams", List.of(Map.of("dataset", "bdd", "epoch", 1.5, "position", 0)))));
        assertTrue(fraction.getMessage().contains("streams[0].epoch"), fraction.getMessage());
        assertThrows(ConfigException.class, () -> LoaderState.fromMap(Map.of("seed", 1, "streams", "bdd")));
        assertThrows(ConfigException.class, () -> LoaderState.fromMap(Map.of("streams", List.of())));
        assertThrows(ConfigException.class, () -> LoaderState.fromMap(Map.of("seed", 1,
                "streams", List.of(Map.of("dataset", "bdd", "epoch", -1, "position", 0)))));
    }
}
