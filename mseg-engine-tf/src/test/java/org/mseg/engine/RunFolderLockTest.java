package org.mseg.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.TrainingException;

/**
 * A run folder is locked against other processes (an OS lock, not only a table in this JVM) and against a second
 * run in this JVM; a lock file left behind by a finished or killed run does not block the next one.
 */
class RunFolderLockTest {

    /**
     * Another process holding the lock like a training run does: locks {@code run.lock} with {@code FileChannel},
     * writes its holder line, says "locked" and keeps the lock until its stdin closes. A single-file source program,
     * so the test needs no class path for the child.
     */
    private static final String HOLDER = """
            import java.nio.ByteBuffer;
            import java.nio.channels.FileChannel;
            import java.nio.file.Path;
            import java.nio.file.StandardOpenOption;

            public class Holder {
                public static void main(String[] args) throws Exception {
                    try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE,
                            StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                        var lock = ch.lock();
                        ch.truncate(0);
                        ch.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " on host test-host,"
                                + " started 2026-01-01T00:00:00Z\\n").getBytes()), 0);
                        System.out.println("locked");
                        System.out.flush();
                        while (System.in.read() >= 0) {
                            // hold the lock until the test closes stdin
                        }
                        lock.release();
                    }
                }
            }
            """;

    @Test
    void aRunFolderLockedByAnotherProcessIsRefusedAtOnceNamingThatProcess(@TempDir Path tmp) throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Path source = tmp.resolve("Holder.java");
        Files.writeString(source, HOLDER);
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"),
                "bin", "java").toString());
        Process holder = new ProcessBuilder(List.of(java, source.toString(), run.resolve(RunFolderLock.FILE)
                .toString())).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = assertTimeoutPreemptively(Duration.ofSeconds(60), out::readLine,
                    "the holder process locks the folder");
            assertEquals("locked", line);

            TrainingException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> assertThrows(TrainingException.class, () -> RunFolderLock.acquire(run)),
                    "a second run fails at once instead of waiting");
            assertTrue(e.getMessage().contains("run folder " + run + " is in use by another training run: pid "
                    + holder.pid() + " on host test-host, started 2026-01-01T00:00:00Z"), e.getMessage());
        } finally {
            holder.getOutputStream().close();
            if (!holder.waitFor(30, TimeUnit.SECONDS)) {
                holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        // the holder is gone, its lock file stays: the folder is free again
        try (RunFolderLock lock = RunFolderLock.acquire(run)) {
            assertTrue(Files.readString(run.resolve(RunFolderLock.FILE)).startsWith("pid "
                    + ProcessHandle.current().pid() + " on host "));
        }
    }

    @Test
    void aSecondLockInThisProcessIsRefusedAndTheFirstStaysHeld(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        try (RunFolderLock first = RunFolderLock.acquire(run)) {
            Path alias = Files.createSymbolicLink(tmp.resolve("alias"), run);
            TrainingException e = assertThrows(TrainingException.class, () -> RunFolderLock.acquire(alias),
                    "the same folder under another name");
            assertTrue(e.getMessage().contains("in this process"), e.getMessage());
            assertThrows(TrainingException.class, () -> RunFolderLock.acquire(run), "still held");
        }
        RunFolderLock.acquire(run).close();
    }
}
