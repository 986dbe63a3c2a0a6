package org.mseg.api;

/** Thrown when training cannot continue (non-finite loss, unusable checkpoint, device failure). The message names the file, line or key and the fix. */
public class TrainingException extends MsegException {
    private static final long serialVersionUID = 1L;

    public TrainingException(String message) {
        super(message);
    }

    public TrainingException(String message, Throwable cause) {
        super(message, cause);
    }
}
