package org.mseg.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.DatasetException;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.dataset.LabelEncoding;
import org.mseg.api.dataset.SplitDefinition;

class SplitListTest {
    @TempDir
    Path dir;

    private static InputStream text(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private static DatasetException parseFails(String content, boolean labeled) {
        return assertThrows(DatasetException.class, () -> SplitList.parse(text(content), "test.txt", labeled));
    }

    @Test
    void labeledLinesGiveImageAndLabelRelativeToTheDatasetFolder() throws IOException {
        SplitList list = SplitList.parse(text("a/1.jpg b/1.png\n  a/2.jpg b/2.png \r\na/3.jpg b/3.png"), "x", true);
        assertEquals(List.of(new SplitEntry(1, "a/1.jpg", Optional.of("b/1.png")),
                new SplitEntry(2, "a/2.jpg", Optional.of("b/2.png")),
                new SplitEntry(3, "a/3.jpg", Optional.of("b/3.png"))), list.entries());
        assertTrue(list.labeled());
        assertEquals("x", list.source());
    }

    @Test
    void unlabeledLinesHoldTheImageOnly() throws IOException {
        SplitList list = SplitList.parse(text("leftImg8bit/test/1.png\nleftImg8bit/test/2.png\n"), "x", false);
        assertEquals(2, list.size());
        assertEquals(new SplitEntry(2, "leftImg8bit/test/2.png", Optional.empty()), list.entries().get(1));
    }

    @Test
    void gzipIsRecognisedByItsMagicBytes() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write("img.jpg lbl.png\n".getBytes(StandardCharsets.UTF_8));
        }
        SplitList list = SplitList.parse(new ByteArrayInputStream(bytes.toByteArray()), "x.gz", true);
        assertEquals("lbl.png", list.entries().get(0).labelPath().orElseThrow());
    }

    @Test
    void aLabeledLineWithOnePathNamesListLineAndContent() {
        DatasetException e = parseFails("a.jpg b.png\nc.jpg\n", true);
        assertTrue(e.getMessage().contains("test.txt line 2"), e.getMessage());
        assertTrue(e.getMessage().contains("'c.jpg'"), e.getMessage());
    }

    @Test
    void threeTokensDoubleSpacesTabsAndBlankLinesAreErrors() {
        assertTrue(parseFails("a.jpg b.png c.png\n", true).getMessage().contains("line 1"));
        assertTrue(parseFails("a.jpg  b.png\n", true).getMessage().contains("'a.jpg  b.png'"));
        assertTrue(parseFails("a.jpg\tb.png\n", true).getMessage().contains("line 1"));
        assertTrue(parseFails("a.jpg b.png\n\nc.jpg d.png\n", true).getMessage().contains("line 2"));
        assertTrue(parseFails("a.jpg b.png\n", false).getMessage().contains("unlabeled"));
    }

    @Test
    void aMissingListFileIsNamed() {
        Path missing = dir.resolve("nope.txt");
        DatasetException e = assertThrows(DatasetException.class, () -> SplitList.fromFile(missing, true));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void aListsFolderIsReadAsMsegDatasetLists() throws IOException {
        Path file = dir.resolve("toy/list/val.txt");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "i/1.jpg l/1.png\ni/2.jpg l/2.png\n");
        DatasetDefinition toy = new DatasetDefinition("toy", "toy", "Toy", List.of(SplitDefinition.labeled("val")),
                LabelEncoding.GRAY8, "toy");
        SplitList list = SplitList.read(toy, "val", Optional.of(dir));
        assertEquals(2, list.size());
        assertEquals(file.toString(), list.source());
        DatasetException unknown = assertThrows(DatasetException.class,
                () -> SplitList.read(toy, "train", Optional.of(dir)));
        assertTrue(unknown.getMessage().contains("Available splits: val"), unknown.getMessage());
        DatasetException noList = assertThrows(DatasetException.class,
                () -> SplitList.read(toy, "val", Optional.empty()));
        assertTrue(noList.getMessage().contains("toy/list/val.txt"), noList.getMessage());
    }
}
