/**
 * The MSeg API: what plugin authors compile against.
 *
 * <ul>
 *   <li>{@link org.mseg.api.taxonomy.TaxonomyProvider} and {@link org.mseg.api.dataset.DatasetProvider}: plain-Java
 *       descriptions of taxonomies and datasets (no TensorFlow or OpenCV types);</li>
 *   <li>{@link org.mseg.api.model.ModelProvider} and {@link org.mseg.api.train.TrainingStrategyProvider}: models and
 *       training strategies, selected by name;</li>
 *   <li>{@link org.mseg.api.plugin.PluginEnvironment}: discovery of all providers from a module layer, the class path
 *       and plugin folders, and {@link org.mseg.api.plugin.Registry}: lookup by name;</li>
 *   <li>one exception hierarchy rooted at {@link org.mseg.api.MsegException}.</li>
 * </ul>
 */
package org.mseg.api;
