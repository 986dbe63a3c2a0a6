/** Dataset providers, MSeg's transforms and the multi-dataset loader. */
package org.mseg.datasets;
