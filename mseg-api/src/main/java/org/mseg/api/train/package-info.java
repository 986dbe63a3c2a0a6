/** Training strategies: how per-dataset sub-batches become an update. */
package org.mseg.api.train;
