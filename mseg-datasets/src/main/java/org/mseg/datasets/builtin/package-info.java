/** MSeg's built-in dataset provider and its bundled split lists. Not exported: found through the dataset SPI. */
package org.mseg.datasets.builtin;
