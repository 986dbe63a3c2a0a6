/**
 * The CCSA domain-generalisation strategy (Motiian et al., ICCV 2017) as MSeg adapts it: the pair sampler, the
 * contrastive loss on the model's representation, and {@code --strategy ccsa} for the TensorFlow engine. TensorFlow's
 * types come through {@code org.mseg.engine}, which requires {@code tensorflow} transitively.
 */
module org.mseg.ccsa {
    requires transitive org.mseg.api;
    requires transitive org.mseg.engine;
    requires org.slf4j;
    exports org.mseg.ccsa;
    provides org.mseg.api.train.TrainingStrategyProvider with org.mseg.ccsa.CcsaStrategyProvider;
}
