package org.mseg.api.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Atomic writes leave no temporary file behind and give files the mode the process umask asks for. */
class AtomicFilesTest {

    @Test
    void writtenFilesGetTheModeOfAPlainWriteUnderTheProcessUmask(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path plain = dir.resolve("plain.json");
        try (OutputStream out = Files.newOutputStream(plain)) {
            out.write('x');
        }
        Set<PosixFilePermission> expected = Files.getPosixFilePermissions(plain);

        Path report = dir.resolve("results.json");
        AtomicFiles.writeString(report, "{}\n");
        assertEquals(expected, Files.getPosixFilePermissions(report), "same mode as Files.newOutputStream");
        AtomicFiles.writeString(report, "{\"a\": 1}\n");
        assertEquals(expected, Files.getPosixFilePermissions(report), "also when replacing a file");
        assertEquals("{\"a\": 1}\n", Files.readString(report));
    }

    @Test
    void underTheUsualUmaskGroupAndOthersCanReadWrittenFiles(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path probe = Files.createFile(dir.resolve("probe"));
        Assumptions.assumeTrue(Files.getPosixFilePermissions(probe).contains(PosixFilePermission.OTHERS_READ),
                "the process umask hides files from others (not 022)");
        Path html = dir.resolve("report.html");
        AtomicFiles.writeString(html, "<html></html>\n");
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(html);
        assertTrue(mode.contains(PosixFilePermission.GROUP_READ) && mode.contains(PosixFilePermission.OTHERS_READ),
                "report.html is " + mode);
    }

    @Test
    void noTemporaryFileIsLeftBehind(@TempDir Path dir) throws Exception {
        AtomicFiles.writeBytes(dir.resolve("sub").resolve("a.bin"), new byte[] {1, 2, 3});
        try (Stream<Path> files = Files.list(dir.resolve("sub"))) {
            assertEquals(java.util.List.of("a.bin"), files.map(p -> p.getFileName().toString()).toList());
        }
    }
}
