package org.mseg.api.json;

import org.mseg.api.ConfigException;

/** A document that is not valid JSON; the message reads {@code file:line:column: problem}. */
public final class JsonException extends ConfigException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message {@code file:line:column: problem}
     */
    public JsonException(String message) {
        super(message);
    }
}
