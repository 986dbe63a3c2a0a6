/**
 * MSeg's training engine on TensorFlow Java. It knows no model: it builds one through the model SPI
 * ({@link org.mseg.api.model.ModelProvider}, chosen by {@code TRAIN.arch}) and trains, checkpoints, evaluates and
 * infers with it. {@code org.mseg.engine.model} is the contract a model provider implements; {@code org.mseg.engine}
 * holds the trainer, the strategy contract and the {@code standard} strategy; {@code org.mseg.engine.checkpoint}
 * the checkpoint format; {@code org.mseg.engine.inference} sliding-window inference and evaluation.
 */
module org.mseg.engine {
    requires transitive org.mseg.api;
    requires transitive org.mseg.taxonomy;
    requires transitive org.mseg.datasets;
    requires transitive org.mseg.pytorch;
    requires org.slf4j;
    requires transitive tensorflow;
    requires tensorflow.framework;

    exports org.mseg.engine;
    exports org.mseg.engine.model;
    exports org.mseg.engine.checkpoint;
    exports org.mseg.engine.inference;
    exports org.mseg.engine.testkit;

    provides org.mseg.api.train.TrainingStrategyProvider with org.mseg.engine.StandardStrategyProvider;
}
