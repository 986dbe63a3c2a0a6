package org.mseg.datasets.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.mseg.api.MsegException;

/** Whole-file writes that a reader never sees half done. */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /**
     * Writes UTF-8 text to a temporary file next to {@code file}, then moves it over {@code file} (atomically where
     * the file system can). Parent folders are created. On failure the temporary file is removed.
     *
     * @throws MsegException if the file cannot be written; names the file
     */
    public static void writeString(Path file, String content) {
        Path folder = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(folder);
            tmp = Files.createTempFile(folder, "." + file.getFileName(), ".tmp");
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the write already failed; that error is the one to report
                }
            }
            throw new MsegException("Cannot write " + file + ": " + e + ". Check that the folder is writable and the"
                    + " disk is not full.", e);
        }
    }
}
