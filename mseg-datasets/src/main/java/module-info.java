/** MSeg datasets: readers for MSeg's on-disk layout, transforms, the multi-dataset loader and synthetic data. */
module org.mseg.datasets {
    requires transitive org.mseg.api;
    requires transitive org.mseg.taxonomy;
    requires org.slf4j;
    // Samples and transforms hand OpenCV Mats across the API.
    requires transitive org.bytedeco.javacpp;
    requires transitive org.bytedeco.opencv;

    exports org.mseg.datasets;
    exports org.mseg.datasets.transform;
    exports org.mseg.datasets.loader;
    exports org.mseg.datasets.synth;
    exports org.mseg.datasets.metrics;
    exports org.mseg.datasets.viz;

    provides org.mseg.api.dataset.DatasetProvider with org.mseg.datasets.builtin.MsegDatasetProvider;
}
