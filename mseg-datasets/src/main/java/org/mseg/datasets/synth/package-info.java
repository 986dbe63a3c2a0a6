/** Synthetic scene-like datasets in each MSeg dataset's own layout, for demos and tests. */
package org.mseg.datasets.synth;
