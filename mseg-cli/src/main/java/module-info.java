/** The {@code mseg-cli} command line (Picocli). Exports nothing; {@code main} is {@code org.mseg.cli.Main}. */
module org.mseg.cli {
    requires org.mseg.api;
    requires org.mseg.taxonomy;
    requires org.mseg.datasets;
    requires org.mseg.hrnet;
    requires org.mseg.mgda;
    requires org.mseg.ccsa;
    requires info.picocli;
    requires me.tongfei.progressbar;
    requires org.bytedeco.ffmpeg;
    requires org.slf4j;
    opens org.mseg.cli to info.picocli;
}
