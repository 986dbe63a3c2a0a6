package org.mseg.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.mseg.api.TrainingException;

/**
 * Exclusive use of a run folder for the life of a training run: an OS file lock on {@code RUN/run.lock}, which holds
 * the holder's pid, host and start time so that a second run fails at once naming it.
 *
 * <p>{@link FileChannel#tryLock()} locks are per process (POSIX record locks): they keep other processes out, but
 * within one JVM a second lock attempt fails with {@link OverlappingFileLockException}, and on Linux closing any
 * other channel of the file drops the process's lock. So runs of this JVM are also registered in a process-wide
 * table, checked before the lock file is opened at all.
 *
 * <p>The lock file is left in place when the run ends: deleting it could let two later runs lock two different files
 * of the same name. The OS releases the lock when the process dies, so a leftover file never blocks a new run.
 */
public final class RunFolderLock implements AutoCloseable {
    /** The lock file inside the run folder. */
    public static final String FILE = "run.lock";

    /** Run folders (real paths) locked by this JVM, with their holder line. */
    private static final Map<Path, String> HELD = new ConcurrentHashMap<>();

    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;

    private RunFolderLock(Path key, FileChannel channel, FileLock lock) {
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Creates the run folder if needed and locks it.
     *
     * @param runDirectory the run folder
     * @return the lock; close it when the run ends
     * @throws TrainingException if another run (of this or another process) holds the folder, naming the holder,
     *                           the lock file and the fix; or if the folder cannot be created or locked
     */
    public static RunFolderLock acquire(Path runDirectory) {
        Path key;
        try {
            Files.createDirectories(runDirectory);
            key = runDirectory.toRealPath();
        } catch (IOException e) {
            throw new TrainingException("cannot create the run folder " + runDirectory + ": " + e
                    + ". Choose a writable folder with --out DIR", e);
        }
        Path file = key.resolve(FILE);
        String holder = holderLine(key);
        String before = HELD.putIfAbsent(key, holder);
        if (before != null) {
            throw busy(runDirectory, file, before + ", in this process");
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                String other = readHolder(channel);
                throw busy(runDirectory, file, other.isEmpty() ? "another process (it has not written its pid yet)"
                        : other);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            return new RunFolderLock(key, channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            HELD.remove(key);
            throw new TrainingException("cannot lock the run folder " + runDirectory + " (" + file + "): "
                    + e.getMessage() + ". Choose a folder on a local, writable file system with --out DIR", e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            HELD.remove(key);
            throw e;
        }
    }

    /** Releases the lock; the lock file stays. */
    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                lock.release();
            }
            channel.close();
        } catch (IOException e) {
            // The lock goes with the channel or, at the latest, with the process.
        } finally {
            HELD.remove(key);
        }
    }

    private static TrainingException busy(Path runDirectory, Path file, String holder) {
        return new TrainingException("run folder " + runDirectory + " is in use by another training run: " + holder
                + " (lock file " + file + "). Wait for that run to end or stop it, or train into another folder"
                + " with --out DIR");
    }

    /** {@code pid 1234 on host h, started 2026-01-01T00:00:00Z}. */
    private static String holderLine(Path folder) {
        return "pid " + ProcessHandle.current().pid() + " on host " + hostName() + ", started " + Instant.now();
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "(unknown host)";
        }
    }

    /** The holder line written by the process that holds the lock, read through the same channel. */
    private static String readHolder(FileChannel channel) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1024);
        int n = channel.read(buf, 0);
        return n <= 0 ? "" : new String(buf.array(), 0, n, StandardCharsets.UTF_8).strip();
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // already failing; that error is reported
            }
        }
    }
}
