/**
 * MSeg's taxonomies (universal, naive, every training, relabeled, test and raw taxonomy) read from the upstream data
 * files, and the {@code TaxonomyConverter}. Pure Java.
 */
module org.mseg.taxonomy {
    requires transitive org.mseg.api;
    exports org.mseg.taxonomy;
    provides org.mseg.api.taxonomy.TaxonomyProvider with org.mseg.taxonomy.builtin.MsegTaxonomyProvider;
}
