/**
 * MSeg's data transforms ({@code mseg_semantic/utils/transform.py}) on OpenCV Mats, with upstream's exact semantics:
 * images {@code CV_32FC3} RGB, labels {@code CV_8UC1} and always resized or warped with nearest-neighbour, and every
 * random draw taken from a generator passed in per sample, so the same seed gives the same result.
 */
package org.mseg.datasets.transform;
