package org.mseg.api.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import org.mseg.api.MsegException;

/**
 * Writes files so that readers only ever see the old or the new content: into a temporary file in the same folder,
 * then renamed over the target (atomically where the file system allows). A crash mid-write leaves at most a
 * hidden {@code .<name>*.tmp} file behind, never a truncated target.
 *
 * <p>Written files get the permissions any plain {@code Files.newOutputStream} would give them: {@code 0666} less the
 * process umask (so {@code rw-r--r--} under the usual 022), readable by the colleagues a user shares reports with.
 * {@code Files.createTempFile} would make them {@code rw-------}, and the rename would keep that.
 */
public final class AtomicFiles {
    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {
    }

    /** Writes UTF-8 text; creates the folder. */
    public static void writeString(Path file, String content) {
        writeBytes(file, content.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes bytes; creates the folder.
     *
     * @throws MsegException naming the file if it cannot be written
     */
    public static void writeBytes(Path file, byte[] content) {
        Path folder = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(folder);
            tmp = folder.resolve("." + file.getFileName() + "." + Long.toHexString(RANDOM.nextLong() >>> 1) + ".tmp");
            // CREATE_NEW: never write through a file (or link) someone else placed there; mode 0666 & ~umask
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                out.write(content);
            }
            replace(tmp, file);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new MsegException("Cannot write " + file + ": " + e + ". Check that the folder is writable and the"
                    + " disk is not full.", e);
        }
    }

    /**
     * Moves a finished temporary file over the target, atomically where supported.
     *
     * @throws IOException if the move fails
     */
    public static void replace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path tmp) {
        if (tmp != null) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the write already failed; that error is the one to report
            }
        }
    }
}
