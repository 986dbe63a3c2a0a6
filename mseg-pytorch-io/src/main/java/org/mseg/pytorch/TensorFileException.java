package org.mseg.pytorch;

import org.mseg.api.MsegException;

/**
 * A {@code .pth} checkpoint or {@code .npy} array file cannot be read or written: it is missing, truncated,
 * corrupt, of an unsupported layout or data type, refers to a Python global the reader refuses, or lacks an
 * expected tensor. The message starts with the file and says what was found.
 */
public class TensorFileException extends MsegException {
    private static final long serialVersionUID = 1L;

    /** The file (or other source) the problem is about, as given to the reader. */
    private final String source;

    /**
     * @param source  the file the problem is about
     * @param problem what is wrong and, where possible, how to fix it
     */
    public TensorFileException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
    }

    /**
     * @param source  the file the problem is about
     * @param problem what is wrong and, where possible, how to fix it
     * @param cause   the underlying error
     */
    public TensorFileException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
        this.source = source;
    }

    /** @return the file (or other source) the problem is about */
    public String source() {
        return source;
    }
}
