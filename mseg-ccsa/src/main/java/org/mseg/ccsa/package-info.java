/**
 * CCSA: contrastive semantic alignment across datasets on the model's shared representation, as MSeg's
 * {@code domain_generalization} baseline does it.
 *
 * <ul>
 *   <li>{@link org.mseg.ccsa.PairSampler} (pure Java): labels downsampled to the embedding grid, cross-domain pixel
 *       pairs drawn domain-first, {@link org.mseg.ccsa.SampledPairs} as flat grid indices plus 1/0 labels;</li>
 *   <li>{@link org.mseg.ccsa.ContrastiveLoss}: the loss as differentiable TensorFlow graph ops;</li>
 *   <li>{@link org.mseg.ccsa.CcsaObjective} and {@link org.mseg.ccsa.PairFeed}: placeholders, total loss and per-step
 *       feeding, usable with any graph;</li>
 *   <li>{@link org.mseg.ccsa.CcsaStrategy} / {@link org.mseg.ccsa.CcsaStrategyProvider}: {@code --strategy ccsa}
 *       for the TensorFlow engine, configured by {@link org.mseg.ccsa.CcsaOptions} ({@code TRAIN.ccsa_*}).</li>
 * </ul>
 */
package org.mseg.ccsa;
