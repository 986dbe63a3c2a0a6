package org.mseg.datasets.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {

    private static HtmlReport.DatasetSection camvid() {
        return new HtmlReport.DatasetSection("camvid-11", "camvid-11", 0.45678, 0.6, 0.9,
                List.of("road", "<b>&", "sky"), new double[] {0.9, 0.1, Double.NaN}, new double[] {0.95, 0.2, 0},
                List.of(0, 1), "heatmaps/camvid-11.png",
                List.of(new HtmlReport.Triplet("0001TP_008550", "triplets/camvid-11/0001TP_008550.jpg")),
                "relabeled protocol");
    }

    private static HtmlReport.DatasetSection voc() {
        return new HtmlReport.DatasetSection("voc2012", "pascal-voc-21", 0.5, 0.55, 0.8, List.of("background", "cat"),
                new double[] {0.7, 0.3}, new double[] {0.8, 0.3}, null, null, null, null);
    }

    private static Map<String, String> runInfo() {
        Map<String, String> info = new LinkedHashMap<>();
        info.put("checkpoint", "runs/<mine>/iter_10");
        info.put("base size", "360");
        info.put("scales", "0.5 0.75 1.0");
        return info;
    }

    private static String write(Path dir, List<HtmlReport.DatasetSection> sections, Double harmonicMean)
            throws IOException {
        Path html = dir.resolve("report/index.html");
        HtmlReport.write(html, "Eval of <model>", runInfo(), sections, harmonicMean);
        return Files.readString(html, StandardCharsets.UTF_8);
    }

    @Test
    void namesAndValuesAreEscaped(@TempDir Path dir) throws IOException {
        String html = write(dir, List.of(camvid()), null);
        assertFalse(html.contains("<b>&"), "raw class name");
        assertTrue(html.contains("&lt;b&gt;&amp;"), "escaped class name");
        assertTrue(html.contains("runs/&lt;mine&gt;/iter_10"));
        assertTrue(html.contains("<title>Eval of &lt;model&gt;</title>"));
        assertFalse(html.contains("<model>") || html.contains("<mine>"));
    }

    @Test
    void summaryHasOneRowPerDatasetAndTheHarmonicMean(@TempDir Path dir) throws IOException {
        String html = write(dir, List.of(camvid(), voc()), 0.4762);
        assertEquals(2, count(html, "<tr class=\"dataset-row\">"));
        assertEquals(1, count(html, "<tr class=\"harmonic-mean\">"));
        assertTrue(html.contains("<td class=\"num\">45.68</td>"), "mIoU as a percentage with 2 decimals");
        assertTrue(html.contains("<td class=\"num\">47.62</td>"), "harmonic mean");
        assertTrue(html.indexOf("camvid-11") < html.indexOf("voc2012"), "sections in the given order");
        String without = write(dir, List.of(camvid(), voc()), null);
        assertEquals(0, count(without, "<tr class=\"harmonic-mean\">"));
    }

    @Test
    void runInfoIsAKeyValueTableInTheGivenOrder(@TempDir Path dir) throws IOException {
        String html = write(dir, List.of(voc()), null);
        int checkpoint = html.indexOf("<th scope=\"row\">checkpoint</th>");
        int base = html.indexOf("<th scope=\"row\">base size</th><td>360</td>");
        int scales = html.indexOf("<th scope=\"row\">scales</th>");
        assertTrue(checkpoint > 0 && checkpoint < base && base < scales, html);
    }

    @Test
    void imagesAreLinkedRelativeToTheReport(@TempDir Path dir) throws IOException {
        String html = write(dir, List.of(camvid(), voc()), null);
        assertTrue(html.contains("<img src=\"heatmaps/camvid-11.png\""));
        assertTrue(html.contains("<img src=\"triplets/camvid-11/0001TP_008550.jpg\""));
        assertEquals(2, count(html, "<img "), "voc has neither heatmap nor examples");
        Matcher src = Pattern.compile("(?:src|href)=\"([^\"#]+)\"").matcher(html);
        while (src.find()) {
            assertFalse(src.group(1).startsWith("/") || src.group(1).contains(":"), "not relative: " + src.group(1));
        }
        assertFalse(html.contains("http://") || html.contains("https://") || html.contains("<script"),
                "self-contained, no network, no script");
    }

    @Test
    void absoluteImagePathsAreMadeRelativeAndSpacesEncoded(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("report/heat maps/a.png").toAbsolutePath();
        HtmlReport.DatasetSection s = new HtmlReport.DatasetSection("d", "t", 0.1, 0.1, 0.1, List.of("x"),
                new double[] {0.1}, new double[] {0.1}, null, png.toString(), null, null);
        String html = write(dir, List.of(s), null);
        assertTrue(html.contains("<img src=\"heat%20maps/a.png\""), html);
    }

    @Test
    void perClassTableMarksExcludedClassesAndShowsNan(@TempDir Path dir) throws IOException {
        String html = write(dir, List.of(camvid()), null);
        String details = html.substring(html.indexOf("<details>"), html.indexOf("</details>"));
        assertEquals(3, count(details, "<tr") - 1, "one row per class, plus the header");
        assertEquals(1, count(details, "<tr class=\"excluded\">"));
        assertTrue(details.contains("<tr class=\"excluded\"><td class=\"num\">2</td><td>sky</td>"));
        assertTrue(details.contains(">n/a</td>"));
        assertTrue(details.contains("1 excluded from the means"));
        assertTrue(html.contains("relabeled protocol"));
    }

    @Test
    void structureIsBalanced(@TempDir Path dir) throws IOException {
        String html = write(dir, List.of(camvid(), voc()), 0.47);
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        for (String tag : List.of("html", "head", "body", "main", "section", "table", "thead", "tbody", "tfoot", "tr",
                "details", "summary", "figure", "style", "title", "h1", "h2", "p", "div")) {
            int open = count(html, "<" + tag + ">") + count(html, "<" + tag + " ");
            assertEquals(open, count(html, "</" + tag + ">"), "<" + tag + "> opened and closed");
        }
        assertEquals(1, count(html, "<main>"));
        assertEquals(2, count(html, "<section class=\"dataset\""));
    }

    @Test
    void writingIsAtomicAndLeavesNoTemporaryFile(@TempDir Path dir) throws IOException {
        Path html = dir.resolve("index.html");
        Files.writeString(html, "old");
        HtmlReport.write(html, "t", Map.of(), List.of(voc()), null);
        HtmlReport.write(html, "t", Map.of(), List.of(voc(), camvid()), null);
        assertTrue(Files.readString(html).contains("camvid-11"));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(html), files.toList());
        }
    }

    @Test
    void sectionsCheckTheirShape() {
        assertThrows(IllegalArgumentException.class, () -> new HtmlReport.DatasetSection("d", "t", 0, 0, 0,
                List.of("a", "b"), new double[] {0}, new double[] {0, 0}, null, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new HtmlReport.DatasetSection("d", "t", 0, 0, 0,
                List.of("a"), new double[] {0}, new double[] {0}, List.of(3), null, null, null));
        HtmlReport.DatasetSection s = voc();
        s.iou()[0] = 99;
        assertEquals(0.7, s.iou()[0], "the section keeps its own copy");
        assertEquals(List.of(0, 1), s.includedClasses(), "null means every class");
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
            n++;
        }
        return n;
    }

    @Test
    void trainingCurvesAreInlineSvgWithALineOrDotPerSeriesAndEscapedNames() {
        HtmlReport.Chart chart = new HtmlReport.Chart("Loss", List.of(
                new HtmlReport.Series("a<b", new long[] {1, 2, 3}, new double[] {3, 2, 1}),
                new HtmlReport.Series("once", new long[] {2}, new double[] {2.5})));
        String svg = HtmlReport.svg(chart);
        assertTrue(svg.startsWith("<svg") && svg.endsWith("</svg>"), svg);
        assertTrue(svg.contains("<polyline") && svg.contains("<circle"), svg);
        assertTrue(svg.contains("a&lt;b") && !svg.contains("a<b"), svg);
        assertTrue(HtmlReport.svg(new HtmlReport.Chart("Empty", List.of())).contains("nothing logged"));
        String html = HtmlReport.render(Path.of("/tmp/r"), "t", java.util.Map.of(), List.of(), null,
                new HtmlReport.TrainingRun(Path.of("/tmp/my run"), List.of(chart)));
        assertTrue(html.contains("href=\"file:///tmp/my%20run"), "a file:// link to the run: " + html);
        assertTrue(!html.contains("<script"), "no script");
    }
}
