/** The multi-dataset loader: per-dataset streams, worker threads, a bounded prefetch queue. */
package org.mseg.datasets.loader;
