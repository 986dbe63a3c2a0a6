/**
 * MGDA: per-dataset gradients combined by the min-norm point of their convex hull.
 *
 * <ul>
 *   <li>{@link org.mseg.mgda.MinNormSolver} (pure Java): the min-norm weights {@code α} from a Gram matrix;</li>
 *   <li>{@link org.mseg.mgda.GradientNormalization}: upstream's {@code none}, {@code l2}, {@code loss},
 *       {@code loss+};</li>
 *   <li>{@link org.mseg.mgda.MgdaStrategy} / {@link org.mseg.mgda.MgdaStrategyProvider}: {@code --strategy mgda} for
 *       the TensorFlow engine, configured by {@link org.mseg.mgda.MgdaOptions} ({@code TRAIN.mgda_mode},
 *       {@code TRAIN.mgda_normalization}); {@link org.mseg.mgda.MgdaStep} is what one step solved.</li>
 * </ul>
 */
package org.mseg.mgda;
