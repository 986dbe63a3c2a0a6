package org.mseg.datasets.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.datasets.viz.HtmlReport;

/**
 * Evaluation reports are files users share: {@code results.json}, {@code results.txt} and {@code report.html} get the
 * mode of a plain write under the process umask (rw-r--r-- under 022), not the rw------- of a temporary file.
 */
class ReportFileModeTest {

    @Test
    void resultsAndReportAreReadableByGroupAndOthersUnderTheUsualUmask(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Set<PosixFilePermission> plain = Files.getPosixFilePermissions(Files.createFile(dir.resolve("plain")));

        ResultsWriter.write(dir.resolve("out"), ResultsWriterTest.example(), ResultsWriterTest.NAMES);
        HtmlReport.write(dir.resolve("out/report.html"), "report", Map.of("checkpoint", "c"),
                List.of(new HtmlReport.DatasetSection("voc2012", "pascal-voc-21", 0.5, 0.55, 0.8,
                        List.of("background", "cat"), new double[] {0.7, 0.3}, new double[] {0.8, 0.3}, null, null,
                        null, null)), null);
        for (String name : List.of(ResultsWriter.JSON_FILE, ResultsWriter.TEXT_FILE, "report.html")) {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir.resolve("out").resolve(name));
            assertEquals(plain, mode, name);
            if (plain.contains(PosixFilePermission.OTHERS_READ)) {
                assertTrue(mode.contains(PosixFilePermission.GROUP_READ) && mode.contains(
                        PosixFilePermission.OTHERS_READ), name + " is " + mode);
            }
        }
    }
}
