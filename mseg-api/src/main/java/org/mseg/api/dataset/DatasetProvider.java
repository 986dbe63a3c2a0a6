package org.mseg.api.dataset;

import java.util.List;
import org.mseg.api.Provider;

/**
 * Service provider interface for datasets. One provider may describe many datasets; names must be unique across all
 * providers. Descriptions are plain values: reading, decoding and augmenting are done by MSeg's data module, so a
 * plugin author never touches OpenCV or TensorFlow.
 *
 * <p>A third-party dataset plugin usually implements this and {@link org.mseg.api.taxonomy.TaxonomyProvider} in one
 * jar that depends on {@code mseg-api} only, and registers both in {@code module-info} and {@code META-INF/services}.
 */
public interface DatasetProvider extends Provider {

    /** The datasets this provider describes, in a stable order. */
    List<DatasetDefinition> datasets();
}
