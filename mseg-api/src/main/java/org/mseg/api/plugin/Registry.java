package org.mseg.api.plugin;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mseg.api.PluginException;

/**
 * An immutable set of named objects of one kind (datasets, taxonomies, models, strategies), built once from
 * discovered providers or from an explicit list in tests.
 *
 * <p>Names are unique: building a registry with two entries of the same name fails and names both origins. Looking
 * up an unknown name fails and lists the names that exist. There is no global instance; whoever needs a registry
 * gets it from a {@link PluginEnvironment} or builds one.
 *
 * @param <T> type of the registered objects
 */
public final class Registry<T> {
    private final String kind;
    private final Map<String, Registration<T>> byName;
    private final String unknownHint;

    private Registry(String kind, Map<String, Registration<T>> byName, String unknownHint) {
        this.kind = kind;
        this.byName = Collections.unmodifiableMap(byName);
        this.unknownHint = unknownHint;
    }

    /**
     * Builds a registry, keeping the given order.
     *
     * @param kind          what the entries are, for messages ("dataset", "taxonomy", "model", ...)
     * @param registrations the entries
     * @throws PluginException if two entries share a name; the message names both origins
     */
    public static <T> Registry<T> of(String kind, Collection<Registration<T>> registrations) {
        return of(kind, registrations, "");
    }

    /**
     * Builds a registry whose "unknown name" message ends with a hint, such as where plugins are looked for.
     *
     * @param kind          what the entries are, for messages
     * @param registrations the entries
     * @param unknownHint   appended to the message of {@link #registration(String)} for an unknown name; may be empty
     * @throws PluginException if two entries share a name; the message names both origins
     */
    public static <T> Registry<T> of(String kind, Collection<Registration<T>> registrations, String unknownHint) {
        Map<String, Registration<T>> map = new LinkedHashMap<>();
        for (Registration<T> r : registrations) {
            Registration<T> previous = map.putIfAbsent(r.name(), r);
            if (previous != null) {
                throw new PluginException("Duplicate " + kind + " '" + r.name() + "': provided by "
                        + previous.origin().describe() + " [" + previous.origin().type() + "] and by "
                        + r.origin().describe() + " [" + r.origin().type() + "]. Remove one of the two modules"
                        + " from the module path or plugin folder, or rename one " + kind + ".");
            }
        }
        return new Registry<>(kind, map, unknownHint);
    }

    /** The hint that ends the message for an unknown name; empty when there is none. */
    public String unknownHint() {
        return unknownHint;
    }

    /** What the entries are ("dataset", "taxonomy", ...). */
    public String kind() {
        return kind;
    }

    /** The entry with this name, if any. */
    public Optional<T> find(String name) {
        Registration<T> r = byName.get(name);
        return r == null ? Optional.empty() : Optional.of(r.value());
    }

    /**
     * The entry with this name.
     *
     * @throws PluginException if there is none; the message lists the available names
     */
    public T get(String name) {
        return registration(name).value();
    }

    /**
     * The registration (value and origin) with this name.
     *
     * @throws PluginException if there is none; the message lists the available names
     */
    public Registration<T> registration(String name) {
        Registration<T> r = byName.get(name);
        if (r == null) {
            throw new PluginException("Unknown " + kind + " '" + name + "'. Available: "
                    + (byName.isEmpty() ? "(none: no provider of this kind was found on the module path,"
                            + " the class path or in the plugin folder)" : String.join(", ", byName.keySet()))
                    + suggestion(name) + (unknownHint.isEmpty() ? "" : " " + unknownHint));
        }
        return r;
    }

    /** True if an entry with this name exists. */
    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** All names, in registration order. */
    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    /** All values, in registration order. */
    public List<T> values() {
        List<T> values = new ArrayList<>(byName.size());
        byName.values().forEach(r -> values.add(r.value()));
        return Collections.unmodifiableList(values);
    }

    /** All registrations, in registration order. */
    public List<Registration<T>> registrations() {
        return List.copyOf(byName.values());
    }

    /** Number of entries. */
    public int size() {
        return byName.size();
    }

    private String suggestion(String name) {
        return Names.closest(name, byName.keySet()).map(s -> ". Did you mean '" + s + "'?").orElse(".");
    }

    @Override
    public String toString() {
        return "Registry[" + kind + ": " + String.join(", ", byName.keySet()) + "]";
    }
}
