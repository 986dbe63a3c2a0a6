package org.mseg.api.plugin;

import java.util.Objects;

/**
 * A provider instance found by discovery, with its origin.
 *
 * @param provider the instance
 * @param origin   where its class came from
 * @param <S>      the service type
 */
public record Discovered<S>(S provider, Origin origin) {
    public Discovered {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(origin, "origin");
    }
}
