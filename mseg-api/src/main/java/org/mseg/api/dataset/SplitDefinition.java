package org.mseg.api.dataset;

import java.net.URL;
import java.util.Objects;
import java.util.Optional;

/**
 * One split of a dataset ({@code train}, {@code val}, ...).
 *
 * @param name         split name, also the list file name without {@code .txt}
 * @param labeled      true if list lines are {@code <image> <label>}, false if they hold the image path only
 * @param bundledList  the split list shipped with the provider (plain or gzip-compressed text), if any; when empty the
 *                     list is read from {@code dataset_lists/<dataset>/list/<split>.txt} of a lists folder
 */
public record SplitDefinition(String name, boolean labeled, Optional<URL> bundledList) {
    public SplitDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bundledList, "bundledList");
        if (name.isBlank()) {
            throw new IllegalArgumentException("split name must not be blank");
        }
    }

    /** A labeled split whose list is found in a lists folder. */
    public static SplitDefinition labeled(String name) {
        return new SplitDefinition(name, true, Optional.empty());
    }
}
