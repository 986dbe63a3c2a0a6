/**
 * Inference as MSeg runs it (MSEG.md g.2): scaled-short-side resizing, mean padding, sliding windows with flip
 * averaging, taxonomy projection of probabilities and multi-scale averaging ({@link org.mseg.engine.inference.Segmenter}),
 * shared by {@code mseg-cli evaluate} and {@code mseg-cli infer}.
 */
package org.mseg.engine.inference;
