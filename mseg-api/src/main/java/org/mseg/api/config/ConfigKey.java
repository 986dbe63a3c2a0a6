package org.mseg.api.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One known configuration key.
 *
 * @param section       the section it belongs to when printed ({@code DATA}, {@code TRAIN}, {@code Distributed},
 *                      {@code TEST}); files may place it in any section, since sections are flattened
 * @param name          the flat key ({@code base_lr})
 * @param type          the type its value must have
 * @param defaultValue  the value used when the file does not set the key; empty when there is none
 * @param nullable      whether an empty YAML value ({@code weight:}) is allowed
 * @param required      whether the file must set the key
 * @param applies       whether this port reads the key; keys that do not apply are accepted and reported as unused
 * @param allowedValues the only values allowed, when the key is a choice; empty otherwise
 * @param doc           one line saying what the key does
 * @param range         the numbers allowed, for number keys (and each element of number lists); empty when any
 *                      value of the type is allowed
 */
public record ConfigKey(String section, String name, KeyType type, Optional<Object> defaultValue, boolean nullable,
        boolean required, boolean applies, List<String> allowedValues, String doc, Optional<ValueRange> range) {

    /** A key without a numeric range. */
    public ConfigKey(String section, String name, KeyType type, Optional<Object> defaultValue, boolean nullable,
            boolean required, boolean applies, List<String> allowedValues, String doc) {
        this(section, name, type, defaultValue, nullable, required, applies, allowedValues, doc, Optional.empty());
    }

    /** Checks the components and copies the list. */
    public ConfigKey {
        Objects.requireNonNull(section, "section");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(defaultValue, "defaultValue");
        allowedValues = List.copyOf(allowedValues);
        Objects.requireNonNull(doc, "doc");
        Objects.requireNonNull(range, "range");
    }

    /** This key with a numeric range. */
    public ConfigKey withRange(ValueRange r) {
        return new ConfigKey(section, name, type, defaultValue, nullable, required, applies, allowedValues, doc,
                Optional.of(r));
    }

    /** {@code SECTION.name}, as messages write it. */
    public String qualifiedName() {
        return section + "." + name;
    }
}
