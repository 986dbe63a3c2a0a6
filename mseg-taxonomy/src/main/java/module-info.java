module org.mseg.taxonomy {
    requires transitive org.mseg.api;
    exports org.mseg.taxonomy;
}
