/**
 * The {@code mseg-cli} command line (Picocli): commands parse options and call the library APIs. Exports nothing;
 * {@code main} is {@code org.mseg.cli.Main}.
 */
module org.mseg.cli {
    requires org.mseg.api;
    requires org.mseg.taxonomy;
    requires org.mseg.datasets;
    // The engine only: models (hrnet) and strategies (mgda, ccsa) are found on the module path as service
    // providers, like a plugin's.
    requires org.mseg.engine;
    requires info.picocli;
    requires me.tongfei.progressbar;
    requires org.bytedeco.ffmpeg;
    requires org.slf4j;
    opens org.mseg.cli to info.picocli;
}
