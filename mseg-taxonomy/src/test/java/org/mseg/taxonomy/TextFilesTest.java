package org.mseg.taxonomy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mseg.api.ConfigException;

class TextFilesTest {

    private static ByteArrayInputStream in(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void namesFilesAcceptCrlfLfAndAMissingFinalNewline() {
        assertEquals(List.of("road", "traffic light", "sky"), TextFiles.readNames(in("road\r\ntraffic light\r\nsky"), "a"));
        assertEquals(List.of("road", "sky"), TextFiles.readNames(in("road\nsky\n"), "b"));
        assertEquals(List.of("road", "sky"), TextFiles.readNames(in("road\n\nsky\n\n"), "c"));
        assertEquals(List.of("road", "sky"), TextFiles.readNames(in("\uFEFFroad\rsky"), "d"));
    }

    @Test
    void tsvKeepsEmptyCellsAndLineNumbers() {
        TextFiles.Table t = TextFiles.readTsv(in("a\tb\tc\r\nx\t\tz\r\n\r\ny\r\n"), "t.tsv");
        assertEquals(List.of("a", "b", "c"), t.header());
        assertEquals(2, t.rows().size());
        assertEquals("", t.rows().get(0).cells()[1]);
        assertEquals("", t.rows().get(1).cells()[2], "short rows are padded");
        assertEquals(4, t.rows().get(1).lineNumber());
    }

    @Test
    void tsvErrorsNameTheFileAndLine() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> TextFiles.readTsv(in("a\tb\nx\ty\tz\n"), "bad.tsv"));
        assertTrue(e.getMessage().startsWith("bad.tsv line 2"), e.getMessage());
        ConfigException col = assertThrows(ConfigException.class,
                () -> TextFiles.readTsv(in("a\tb\n"), "bad.tsv").column("c"));
        assertTrue(col.getMessage().contains("no column 'c'"));
    }
}
