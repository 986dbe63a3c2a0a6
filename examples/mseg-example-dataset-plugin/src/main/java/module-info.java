/**
 * An example third-party dataset plugin for MSeg: the {@code farm-5} dataset and its taxonomy. It depends on
 * {@code org.mseg.api} only, exports nothing, and registers its providers here and in {@code META-INF/services}, so
 * its jar works both in a plugin folder (module path) and on the class path.
 */
module org.mseg.example.farm {
    requires org.mseg.api;

    provides org.mseg.api.dataset.DatasetProvider with org.mseg.example.farm.FarmDatasetProvider;
    provides org.mseg.api.taxonomy.TaxonomyProvider with org.mseg.example.farm.FarmTaxonomyProvider;
}
