/** MSeg datasets: readers for MSeg's on-disk layout, transforms, the multi-dataset loader and synthetic data. */
module org.mseg.datasets {
    requires transitive org.mseg.api;
    requires org.mseg.taxonomy;
    requires org.slf4j;
    requires org.bytedeco.javacpp;
    requires org.bytedeco.opencv;
    exports org.mseg.datasets;
}
