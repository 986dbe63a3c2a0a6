package org.mseg.api;

/**
 * Root of every error MSeg reports to a user. Subclasses say which part failed; the message always names the file,
 * line or configuration key involved and how to fix it.
 */
public class MsegException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MsegException(String message) {
        super(message);
    }

    public MsegException(String message, Throwable cause) {
        super(message, cause);
    }
}
