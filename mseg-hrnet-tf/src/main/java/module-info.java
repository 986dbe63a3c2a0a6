/**
 * The {@code hrnet} model provider: HRNetV2 (variants w48, w32, w18, tiny) built into the engine's TensorFlow graph,
 * and the rules that map PyTorch state-dict keys onto its variables.
 */
module org.mseg.hrnet {
    requires transitive org.mseg.engine;
    requires org.slf4j;
    exports org.mseg.hrnet;
    exports org.mseg.hrnet.provider;
    provides org.mseg.api.model.ModelProvider with org.mseg.hrnet.provider.HrnetModelProvider;
}
