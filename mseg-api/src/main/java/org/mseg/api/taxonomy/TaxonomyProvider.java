package org.mseg.api.taxonomy;

import java.util.List;
import org.mseg.api.Provider;

/**
 * Service provider interface for taxonomies. One provider may contribute many taxonomies (MSeg's built-in provider
 * contributes all of MSeg's); each taxonomy name must be unique across all providers.
 *
 * <p>A plugin that adds a dataset usually adds its taxonomy here, with {@link TaxonomyDefinition#toUniversal()} saying
 * which universal class each of its classes is. Implementations must be cheap to construct; parse resources lazily.
 */
public interface TaxonomyProvider extends Provider {

    /** The taxonomies this provider defines, in a stable order. */
    List<TaxonomyDefinition> taxonomies();

    /** Class-name remappings between taxonomies (raw → semseg, semseg → relabeled); empty by default. */
    default List<TaxonomyRemap> remaps() {
        return List.of();
    }
}
