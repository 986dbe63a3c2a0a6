/** The MGDA multi-objective training strategy (Sener and Koltun, NeurIPS 2018) as MSeg adapts it. */
module org.mseg.mgda {
    requires transitive org.mseg.api;
    exports org.mseg.mgda;
}
