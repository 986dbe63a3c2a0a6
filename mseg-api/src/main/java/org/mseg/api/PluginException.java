package org.mseg.api;

/** Thrown when a provider could not be discovered, is duplicated, or is unknown. The message names the file, line or key and the fix. */
public class PluginException extends MsegException {
    private static final long serialVersionUID = 1L;

    public PluginException(String message) {
        super(message);
    }

    public PluginException(String message, Throwable cause) {
        super(message, cause);
    }
}
