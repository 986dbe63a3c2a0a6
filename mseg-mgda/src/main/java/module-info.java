/**
 * The MGDA multi-objective training strategy (Sener and Koltun, NeurIPS 2018) as MSeg adapts it: the min-norm solver,
 * the gradient normalisations, and {@code --strategy mgda} for the TensorFlow engine. TensorFlow's types come through
 * {@code org.mseg.engine}, which requires {@code tensorflow} transitively.
 */
module org.mseg.mgda {
    requires transitive org.mseg.api;
    requires transitive org.mseg.engine;
    requires org.slf4j;
    exports org.mseg.mgda;
    provides org.mseg.api.train.TrainingStrategyProvider with org.mseg.mgda.MgdaStrategyProvider;
}
