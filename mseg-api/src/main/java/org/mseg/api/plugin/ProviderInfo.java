package org.mseg.api.plugin;

/**
 * One line of {@code plugins list}: a discovered provider or one of the entries it contributes.
 *
 * @param kind        "dataset", "taxonomy", "model" or "strategy"
 * @param name        the name configuration uses
 * @param description one line
 * @param origin      module, version and location
 */
public record ProviderInfo(String kind, String name, String description, Origin origin) {
}
