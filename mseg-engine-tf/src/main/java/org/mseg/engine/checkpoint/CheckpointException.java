package org.mseg.engine.checkpoint;

import org.mseg.api.TrainingException;

/**
 * A checkpoint that cannot be written, read or restored: missing or corrupt files, an unknown format version, or
 * variables that do not match the graph. The message names the file or folder and what to do.
 */
public final class CheckpointException extends TrainingException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the file and the problem
     */
    public CheckpointException(String message) {
        super(message);
    }

    /**
     * Creates the exception with its cause.
     *
     * @param message names the file and the problem
     * @param cause   the underlying I/O, JSON or TensorFlow error
     */
    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
