/**
 * An example third-party model plugin for MSeg: the {@code example-fcn} architecture, a small fully-convolutional
 * network built into the TensorFlow engine's graph. It depends on {@code org.mseg.engine} only, exports nothing, and
 * registers its provider here and in {@code META-INF/services}, so its jar works both in a plugin folder (module path)
 * and on the class path.
 */
module org.mseg.examples.fcn {
    requires org.mseg.engine;

    provides org.mseg.api.model.ModelProvider with org.mseg.examples.fcn.FcnModelProvider;
}
