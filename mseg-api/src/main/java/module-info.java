module org.mseg.api {
    requires org.slf4j;
    exports org.mseg.api;
}
