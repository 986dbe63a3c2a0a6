/** Checkpoints: TF variables plus a JSON sidecar, written atomically. */
package org.mseg.hrnet.checkpoint;
