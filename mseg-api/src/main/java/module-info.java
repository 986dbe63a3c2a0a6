/**
 * The MSeg API: service provider interfaces for datasets, taxonomies, models and training strategies, their value
 * types, provider discovery and the exception hierarchy. Plugin authors compile against this module only.
 */
module org.mseg.api {
    requires org.yaml.snakeyaml;

    exports org.mseg.api.config;
    exports org.mseg.api;
    exports org.mseg.api.dataset;
    exports org.mseg.api.io;
    exports org.mseg.api.json;
    exports org.mseg.api.model;
    exports org.mseg.api.plugin;
    exports org.mseg.api.testkit;
    exports org.mseg.api.taxonomy;
    exports org.mseg.api.train;

    uses org.mseg.api.dataset.DatasetProvider;
    uses org.mseg.api.model.ModelProvider;
    uses org.mseg.api.taxonomy.TaxonomyProvider;
    uses org.mseg.api.train.TrainingStrategyProvider;
}
