/** HRNetV2 on TensorFlow Java, PyTorch checkpoint import, and the training engine. */
module org.mseg.hrnet {
    requires transitive org.mseg.api;
    requires org.mseg.taxonomy;
    requires transitive org.mseg.datasets;
    requires org.slf4j;
    requires transitive tensorflow;
    requires tensorflow.framework;
    exports org.mseg.hrnet;
    exports org.mseg.hrnet.io;
    exports org.mseg.hrnet.checkpoint;
    exports org.mseg.hrnet.engine;
    exports org.mseg.hrnet.inference;
    provides org.mseg.api.model.ModelProvider with org.mseg.hrnet.provider.HrnetModelProvider;
    provides org.mseg.api.train.TrainingStrategyProvider with org.mseg.hrnet.engine.StandardStrategyProvider;
}
