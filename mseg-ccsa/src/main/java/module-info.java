/** The CCSA domain-generalisation strategy (Motiian et al., ICCV 2017) as MSeg adapts it. */
module org.mseg.ccsa {
    requires transitive org.mseg.api;
    requires org.mseg.hrnet;
    requires org.slf4j;
    exports org.mseg.ccsa;
}
