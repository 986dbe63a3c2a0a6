package org.mseg.api;

/** Thrown when a configuration file, key or command-line value is wrong. The message names the file, line or key and the fix. */
public class ConfigException extends MsegException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
