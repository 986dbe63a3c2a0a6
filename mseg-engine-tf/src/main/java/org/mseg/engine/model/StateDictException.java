package org.mseg.engine.model;

import org.mseg.api.MsegException;

/** A PyTorch state dict that cannot be loaded into an {@link Hrnet}; the message names the key and the fix. */
public final class StateDictException extends MsegException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message naming the offending key. */
    public StateDictException(String message) {
        super(message);
    }
}
