package org.mseg.api;

/** Thrown when dataset files, list files or label contents are wrong. The message names the file, line or key and the fix. */
public class DatasetException extends MsegException {
    private static final long serialVersionUID = 1L;

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
