package org.mseg.datasets.loader;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.mseg.api.ConfigException;

/**
 * The exact position of every dataset stream of a loader: enough to resume it so that it yields the batch that would
 * have come next. Saved with checkpoints through {@link #toMap()} / {@link #fromMap(Map)}.
 *
 * @param seed    the loader's seed, which fixes every permutation and every random transform
 * @param streams one position per dataset stream, in the loader's stream order
 */
public record LoaderState(long seed, List<StreamPosition> streams) {
    private static final Set<String> KEYS = Set.of("seed", "streams");
    private static final Set<String> STREAM_KEYS = Set.of("dataset", "epoch", "position");

    /**
     * Where a dataset stream stands: the next sample it yields is entry {@code position} of epoch {@code epoch}'s
     * permutation of the split list.
     *
     * @param dataset  dataset name
     * @param epoch    0-based epoch of the stream (each stream counts its own epochs)
     * @param position 0-based position within that epoch's permutation
     */
    public record StreamPosition(String dataset, long epoch, long position) {
        public StreamPosition {
            Objects.requireNonNull(dataset, "dataset");
            if (epoch < 0 || position < 0) {
                throw new IllegalArgumentException("epoch and position must not be negative, got " + epoch + ", "
                        + position);
            }
        }
    }

    public LoaderState {
        streams = List.copyOf(streams);
    }

    /** The state as JSON-friendly values: {@code {seed, streams: [{dataset, epoch, position}, ...]}}. */
    public Map<String, Object> toMap() {
        List<Object> list = new ArrayList<>();
        for (StreamPosition s : streams) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dataset", s.dataset());
            m.put("epoch", s.epoch());
            m.put("position", s.position());
            list.add(m);
        }
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("seed", seed);
        map.put("streams", list);
        return map;
    }

    /**
     * Reads a state written by {@link #toMap()}, as it comes back from JSON or YAML (numbers of any integral type or
     * as strings).
     *
     * @throws ConfigException if a key is missing or unknown, or a value has the wrong type
     */
    public static LoaderState fromMap(Map<String, ?> m) {
        Objects.requireNonNull(m, "m");
        checkKeys(m, KEYS, "loader state");
        long seed = integer(m.get("seed"), "loader state key 'seed'");
        Object raw = m.get("streams");
        if (!(raw instanceof List<?> list)) {
            throw new ConfigException("loader state key 'streams' must be a list of {dataset, epoch, position}, got "
                    + describe(raw) + ". The checkpoint's loader state is damaged; resume without it.");
        }
        List<StreamPosition> positions = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String where = "loader state streams[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> s)) {
                throw new ConfigException(where + " must be a map {dataset, epoch, position}, got "
                        + describe(list.get(i)) + ".");
            }
            checkKeys(s, STREAM_KEYS, where);
            if (!(s.get("dataset") instanceof String dataset)) {
                throw new ConfigException(where + ".dataset must be a dataset name, got " + describe(s.get("dataset"))
                        + ".");
            }
            long epoch = integer(s.get("epoch"), where + ".epoch");
            long position = integer(s.get("position"), where + ".position");
            if (epoch < 0 || position < 0) {
                throw new ConfigException(where + " has a negative epoch or position (" + epoch + ", " + position
                        + ").");
            }
            positions.add(new StreamPosition(dataset, epoch, position));
        }
        return new LoaderState(seed, positions);
    }

    private static void checkKeys(Map<?, ?> m, Set<String> keys, String where) {
        for (String k : keys) {
            if (!m.containsKey(k)) {
                throw new ConfigException(where + " lacks key '" + k + "' (expected keys " + keys + ").");
            }
        }
        for (Object k : m.keySet()) {
            if (!keys.contains(String.valueOf(k))) {
                throw new ConfigException(where + " has unknown key '" + k + "' (expected keys " + keys + ").");
            }
        }
    }

    private static long integer(Object v, String where) {
        try {
            if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
                return ((Number) v).longValue();
            }
            if (v instanceof BigInteger b) {
                return b.longValueExact();
            }
            if (v instanceof Double || v instanceof Float || v instanceof BigDecimal) {
                // A JSON reader may hand back whole numbers as doubles; accept only those represented exactly.
                BigDecimal d = v instanceof BigDecimal b ? b : new BigDecimal(((Number) v).doubleValue());
                if (d.abs().compareTo(BigDecimal.valueOf(1L << 53)) > 0) {
                    throw new ArithmeticException("beyond the exact range of a double");
                }
                return d.longValueExact();
            }
            if (v instanceof String s) {
                return Long.parseLong(s.strip());
            }
        } catch (ArithmeticException | NumberFormatException e) {
            throw new ConfigException(where + " must be a whole number, got " + v + " (" + e.getMessage() + ").", e);
        }
        throw new ConfigException(where + " must be a whole number, got " + describe(v) + ".");
    }

    private static String describe(Object v) {
        return v == null ? "nothing" : v.getClass().getSimpleName() + " " + v;
    }
}
