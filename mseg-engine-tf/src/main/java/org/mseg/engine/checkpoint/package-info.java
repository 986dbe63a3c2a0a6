/**
 * Checkpoints: TF variables plus a JSON sidecar, written atomically.
 *
 * <p>A checkpoint is a folder holding {@code checkpoint.json} ({@link org.mseg.engine.checkpoint.CheckpointMetadata}:
 * format version, model arch/variant/spec/classes, taxonomy and class names, creation time, optional training state
 * and names of extra variables) and the TensorFlow files {@code variables.index} and
 * {@code variables.data-00000-of-00001} written by {@code Session.save}. {@link org.mseg.engine.checkpoint.Checkpoints}
 * writes (atomically), reads, restores, finds the newest and prunes them; {@link org.mseg.engine.checkpoint.LoadedModel}
 * opens one for inference; {@link org.mseg.api.json.Json} is the small JSON reader/writer they use.
 */
package org.mseg.engine.checkpoint;
