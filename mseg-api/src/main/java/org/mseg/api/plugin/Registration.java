package org.mseg.api.plugin;

import java.util.Objects;

/**
 * One named entry of a {@link Registry}: the value, the name it is looked up by, and where it came from.
 *
 * @param name   lookup name, unique within its registry
 * @param value  the registered object
 * @param origin the provider that contributed it
 * @param <T>    type of the registered object
 */
public record Registration<T>(String name, T value, Origin origin) {
    public Registration {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(origin, "origin");
        if (name.isBlank()) {
            throw new IllegalArgumentException("registration name must not be blank (provider " + origin.type() + ")");
        }
    }
}
