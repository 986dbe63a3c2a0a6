package org.mseg.datasets.viz;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.mseg.api.MsegException;
import org.mseg.api.io.AtomicFiles;

/**
 * A one-page HTML report of one evaluation run: the run's settings, a summary table of every dataset's scores (with
 * the harmonic mean over datasets when given), then per dataset its confusion heatmap, a few image | ground truth |
 * prediction triplets and the per-class table. The page is self-contained (embedded CSS, no script, nothing fetched
 * from the network); images are linked by paths relative to the report, so the report's folder can be moved or
 * archived as a whole.
 *
 * <p>The report is built from plain values, not from the evaluator, so anything that has scores can write one. Scores
 * are fractions (0..1, as in {@code results.txt}) and are shown as percentages with 2 decimals; a NaN shows as
 * {@code n/a}. Every name and value is HTML-escaped.
 */
public final class HtmlReport {

    /**
     * One evaluated dataset.
     *
     * @param dataset         dataset name
     * @param taxonomy        the taxonomy the scores are in
     * @param mIoU            mean IoU over the included classes, 0..1
     * @param mAcc            mean accuracy over the included classes, 0..1
     * @param allAcc          pixel accuracy, 0..1
     * @param classNames      class names by id
     * @param iou             IoU per class (by id), 0..1 or NaN; as many as {@code classNames}
     * @param acc             accuracy per class (by id), 0..1 or NaN; as many as {@code classNames}
     * @param includedClasses ids counted in the means (MSeg's {@code excluded_ids} rule drops the others); null means
     *                        every class
     * @param heatmapPng      confusion heatmap, a path relative to the report (an absolute path is made relative to the
     *                        report's folder); null when there is none
     * @param examples        example triplets; null means none
     * @param note            a remark shown with the dataset, e.g. {@code relabeled protocol}; null when there is none
     */
    public record DatasetSection(String dataset, String taxonomy, double mIoU, double mAcc, double allAcc,
            List<String> classNames, double[] iou, double[] acc, List<Integer> includedClasses, String heatmapPng,
            List<Triplet> examples, String note) {
        /**
         * @throws IllegalArgumentException if the per-class arrays and names differ in length or an included id is
         *                                  not a class
         */
        public DatasetSection {
            Objects.requireNonNull(dataset, "dataset");
            Objects.requireNonNull(taxonomy, "taxonomy");
            classNames = List.copyOf(classNames);
            iou = iou.clone();
            acc = acc.clone();
            if (iou.length != classNames.size() || acc.length != classNames.size()) {
                throw new IllegalArgumentException(dataset + ": " + classNames.size() + " class names but "
                        + iou.length + " IoU and " + acc.length + " accuracy values");
            }
            if (includedClasses == null) {
                List<Integer> all = new ArrayList<>();
                for (int c = 0; c < classNames.size(); c++) {
                    all.add(c);
                }
                includedClasses = List.copyOf(all);
            } else {
                includedClasses = List.copyOf(includedClasses);
                for (int c : includedClasses) {
                    if (c < 0 || c >= classNames.size()) {
                        throw new IllegalArgumentException(dataset + ": included class " + c + " is not one of the "
                                + classNames.size() + " classes");
                    }
                }
            }
            examples = examples == null ? List.of() : List.copyOf(examples);
        }

        /** IoU per class; a copy. */
        @Override
        public double[] iou() {
            return iou.clone();
        }

        /** Accuracy per class; a copy. */
        @Override
        public double[] acc() {
            return acc.clone();
        }
    }

    /**
     * One example image.
     *
     * @param stem the image's file stem, shown as its caption
     * @param png  the side-by-side picture (see {@link Panels#sideBySide}), a path relative to the report (an absolute
     *             path is made relative to the report's folder)
     */
    public record Triplet(String stem, String png) {
        public Triplet {
            Objects.requireNonNull(stem, "stem");
            Objects.requireNonNull(png, "png");
        }
    }

    /**
     * One line of a chart.
     *
     * @param name   legend text
     * @param steps  x values (training iterations), ascending
     * @param values y values, as many as {@code steps}
     */
    public record Series(String name, long[] steps, double[] values) {
        /** @throws IllegalArgumentException if the arrays differ in length */
        public Series {
            Objects.requireNonNull(name, "name");
            steps = steps.clone();
            values = values.clone();
            if (steps.length != values.length) {
                throw new IllegalArgumentException(name + ": " + steps.length + " steps but " + values.length
                        + " values");
            }
        }

        /** Steps; a copy. */
        @Override
        public long[] steps() {
            return steps.clone();
        }

        /** Values; a copy. */
        @Override
        public double[] values() {
            return values.clone();
        }
    }

    /**
     * A line chart of training curves.
     *
     * @param title  caption
     * @param series the lines; an empty list draws a note instead
     */
    public record Chart(String title, List<Series> series) {
        public Chart {
            Objects.requireNonNull(title, "title");
            series = List.copyOf(series);
        }
    }

    /**
     * The training run a checkpoint came from.
     *
     * @param folder the run folder (linked as a {@code file://} URI)
     * @param charts its training curves
     */
    public record TrainingRun(Path folder, List<Chart> charts) {
        public TrainingRun {
            Objects.requireNonNull(folder, "folder");
            charts = List.copyOf(charts);
        }
    }

    private HtmlReport() {
    }

    /**
     * Writes the report with a section on the training run the checkpoint belongs to (a link to the run folder and
     * its curves as inline SVG), as {@link #write(Path, String, Map, List, Double)} does otherwise.
     *
     * @param run the run, or null for a checkpoint outside a run
     */
    public static void write(Path htmlFile, String title, Map<String, String> runInfo, List<DatasetSection> sections,
            Double harmonicMean, TrainingRun run) {
        Path folder = htmlFile.toAbsolutePath().getParent();
        AtomicFiles.writeString(htmlFile, render(folder, title, runInfo, sections, harmonicMean, run));
    }

    /**
     * Writes the report atomically (a temporary file in the same folder, then moved over {@code htmlFile}); parent
     * folders are created.
     *
     * @param htmlFile     where to write
     * @param title        page title and heading
     * @param runInfo      settings of the run (checkpoint, base size, scales, date...), shown in iteration order; pass a
     *                     {@code LinkedHashMap} to choose it
     * @param sections     one per evaluated dataset, in display order
     * @param harmonicMean harmonic mean of the datasets' mIoU (0..1), or null to leave the row out
     * @throws MsegException if the file cannot be written; names the file
     */
    public static void write(Path htmlFile, String title, Map<String, String> runInfo, List<DatasetSection> sections,
            Double harmonicMean) {
        Path folder = htmlFile.toAbsolutePath().getParent();
        AtomicFiles.writeString(htmlFile, render(folder, title, runInfo, sections, harmonicMean));
    }

    /** The report's HTML; image paths that are absolute are made relative to {@code folder}. */
    static String render(Path folder, String title, Map<String, String> runInfo, List<DatasetSection> sections,
            Double harmonicMean) {
        return render(folder, title, runInfo, sections, harmonicMean, null);
    }

    static String render(Path folder, String title, Map<String, String> runInfo, List<DatasetSection> sections,
            Double harmonicMean, TrainingRun run) {
        Objects.requireNonNull(runInfo, "runInfo");
        Objects.requireNonNull(sections, "sections");
        String heading = title == null || title.isBlank() ? "MSeg evaluation" : title;
        StringBuilder h = new StringBuilder(16_384);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(escape(heading)).append("</title>\n")
                .append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n<main>\n")
                .append("<h1>").append(escape(heading)).append("</h1>\n");
        runTable(h, runInfo);
        if (run != null) {
            training(h, run);
        }
        summary(h, sections, harmonicMean);
        for (int i = 0; i < sections.size(); i++) {
            section(h, folder, i, sections.get(i));
        }
        h.append("</main>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void runTable(StringBuilder h, Map<String, String> runInfo) {
        h.append("<section id=\"run\">\n<h2>Run</h2>\n<table class=\"kv\">\n<tbody>\n");
        for (Map.Entry<String, String> e : runInfo.entrySet()) {
            h.append("<tr><th scope=\"row\">").append(escape(e.getKey())).append("</th><td>")
                    .append(escape(e.getValue() == null ? "" : e.getValue())).append("</td></tr>\n");
        }
        h.append("</tbody>\n</table>\n</section>\n");
    }

    private static void training(StringBuilder h, TrainingRun run) {
        String uri = run.folder().toAbsolutePath().toUri().toString();
        h.append("<section id=\"training\">\n<h2>Training run</h2>\n<p>Run folder: <a href=\"").append(escape(uri))
                .append("\">").append(escape(run.folder().toAbsolutePath().toString())).append("</a></p>\n")
                .append("<div class=\"charts\">\n");
        for (Chart c : run.charts()) {
            h.append("<figure class=\"chart\">").append(svg(c)).append("<figcaption>").append(escape(c.title()))
                    .append("</figcaption></figure>\n");
        }
        h.append("</div>\n</section>\n");
    }

    /** Line colours, distinct on white (Tableau 10). */
    private static final String[] LINE_COLOURS = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
        "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};

    /** A chart as inline SVG: axes with min and max labels, one polyline (or dot) per series, a legend below. */
    static String svg(Chart c) {
        int width = 560;
        int plotLeft = 64;
        int plotTop = 12;
        int plotWidth = width - plotLeft - 16;
        int plotHeight = 200;
        int legendRows = (c.series().size() + 1) / 2;
        int height = plotTop + plotHeight + 28 + legendRows * 18 + 8;
        StringBuilder b = new StringBuilder(4096);
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" width=\"").append(width).append("\" height=\"").append(height).append("\" role=\"img\"")
                .append(" aria-label=\"").append(escape(c.title())).append("\">");
        b.append("<rect x=\"0\" y=\"0\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" fill=\"#fff\"/>");
        long minX = Long.MAX_VALUE;
        long maxX = Long.MIN_VALUE;
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (Series s : c.series()) {
            long[] xs = s.steps();
            double[] ys = s.values();
            for (int i = 0; i < xs.length; i++) {
                if (Double.isFinite(ys[i])) {
                    minX = Math.min(minX, xs[i]);
                    maxX = Math.max(maxX, xs[i]);
                    minY = Math.min(minY, ys[i]);
                    maxY = Math.max(maxY, ys[i]);
                }
            }
        }
        b.append("<rect x=\"").append(plotLeft).append("\" y=\"").append(plotTop).append("\" width=\"")
                .append(plotWidth).append("\" height=\"").append(plotHeight)
                .append("\" fill=\"none\" stroke=\"#d9dee5\"/>");
        if (minX == Long.MAX_VALUE) {
            b.append("<text x=\"").append(plotLeft + plotWidth / 2).append("\" y=\"").append(plotTop + plotHeight / 2)
                    .append("\" text-anchor=\"middle\" font-size=\"13\" fill=\"#6b7480\">nothing logged</text></svg>");
            return b.toString();
        }
        if (maxY == minY) {
            double pad = minY == 0 ? 1 : Math.abs(minY) * 0.05;
            minY -= pad;
            maxY += pad;
        }
        long spanX = Math.max(1, maxX - minX);
        double spanY = maxY - minY;
        b.append(axisText(plotLeft - 6, plotTop + 10, "end", number(maxY)))
                .append(axisText(plotLeft - 6, plotTop + plotHeight, "end", number(minY)))
                .append(axisText(plotLeft, plotTop + plotHeight + 16, "start", Long.toString(minX)))
                .append(axisText(plotLeft + plotWidth, plotTop + plotHeight + 16, "end", Long.toString(maxX)))
                .append(axisText(plotLeft + plotWidth / 2, plotTop + plotHeight + 16, "middle", "iteration"));
        for (int k = 0; k < c.series().size(); k++) {
            Series s = c.series().get(k);
            String colour = LINE_COLOURS[k % LINE_COLOURS.length];
            long[] xs = s.steps();
            double[] ys = s.values();
            StringBuilder pts = new StringBuilder();
            int n = 0;
            for (int i = 0; i < xs.length; i++) {
                if (!Double.isFinite(ys[i])) {
                    continue;
                }
                double x = plotLeft + (double) (xs[i] - minX) / spanX * plotWidth;
                double y = plotTop + (maxY - ys[i]) / spanY * plotHeight;
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                n++;
            }
            if (n == 1) {
                String[] xy = pts.toString().trim().split(",");
                b.append("<circle cx=\"").append(xy[0]).append("\" cy=\"").append(xy[1])
                        .append("\" r=\"3\" fill=\"").append(colour).append("\"/>");
            } else if (n > 1) {
                b.append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"").append(colour)
                        .append("\" points=\"").append(pts.toString().trim()).append("\"/>");
            }
            int lx = plotLeft + (k % 2) * (plotWidth / 2);
            int ly = plotTop + plotHeight + 30 + (k / 2) * 18;
            b.append("<rect x=\"").append(lx).append("\" y=\"").append(ly).append("\" width=\"14\" height=\"4\"")
                    .append(" fill=\"").append(colour).append("\"/>")
                    .append(axisText(lx + 20, ly + 6, "start", s.name()));
        }
        b.append("</svg>");
        return b.toString();
    }

    private static String axisText(int x, int y, String anchor, String text) {
        return "<text x=\"" + x + "\" y=\"" + y + "\" text-anchor=\"" + anchor
                + "\" font-size=\"12\" fill=\"#1d232b\">" + escape(text) + "</text>";
    }

    private static String number(double v) {
        double a = Math.abs(v);
        return a != 0 && (a < 1e-3 || a >= 1e5) ? String.format(Locale.ROOT, "%.2e", v)
                : String.format(Locale.ROOT, "%.4g", v);
    }

    private static void summary(StringBuilder h, List<DatasetSection> sections, Double harmonicMean) {
        h.append("<section id=\"summary\">\n<h2>Summary</h2>\n<table class=\"summary\">\n<thead>\n")
                .append("<tr><th scope=\"col\">Dataset</th><th scope=\"col\">Taxonomy</th>")
                .append("<th scope=\"col\" class=\"num\">mIoU %</th><th scope=\"col\" class=\"num\">mAcc %</th>")
                .append("<th scope=\"col\" class=\"num\">allAcc %</th><th scope=\"col\">Note</th></tr>\n")
                .append("</thead>\n<tbody>\n");
        for (int i = 0; i < sections.size(); i++) {
            DatasetSection s = sections.get(i);
            h.append("<tr class=\"dataset-row\"><td><a href=\"#").append(anchor(i)).append("\">")
                    .append(escape(s.dataset())).append("</a></td><td>").append(escape(s.taxonomy()))
                    .append("</td><td class=\"num\">").append(percent(s.mIoU()))
                    .append("</td><td class=\"num\">").append(percent(s.mAcc()))
                    .append("</td><td class=\"num\">").append(percent(s.allAcc()))
                    .append("</td><td>").append(s.note() == null ? "" : escape(s.note())).append("</td></tr>\n");
        }
        h.append("</tbody>\n");
        if (harmonicMean != null) {
            h.append("<tfoot>\n<tr class=\"harmonic-mean\"><th scope=\"row\" colspan=\"2\">Harmonic mean of mIoU")
                    .append("</th><td class=\"num\">").append(percent(harmonicMean))
                    .append("</td><td></td><td></td><td></td></tr>\n</tfoot>\n");
        }
        h.append("</table>\n</section>\n");
    }

    private static void section(StringBuilder h, Path folder, int index, DatasetSection s) {
        h.append("<section class=\"dataset\" id=\"").append(anchor(index)).append("\">\n<h2>")
                .append(escape(s.dataset())).append(" <small>").append(escape(s.taxonomy())).append("</small></h2>\n");
        if (s.note() != null && !s.note().isBlank()) {
            h.append("<p class=\"note\">").append(escape(s.note())).append("</p>\n");
        }
        h.append("<p class=\"scores\">mIoU <b>").append(percent(s.mIoU())).append("</b> % · mAcc <b>")
                .append(percent(s.mAcc())).append("</b> % · allAcc <b>").append(percent(s.allAcc()))
                .append("</b> %</p>\n");
        if (s.heatmapPng() != null && !s.heatmapPng().isBlank()) {
            String src = link(folder, s.heatmapPng());
            h.append("<figure class=\"heatmap\"><a href=\"").append(src).append("\"><img src=\"").append(src)
                    .append("\" alt=\"confusion matrix of ").append(escape(s.dataset()))
                    .append("\"></a><figcaption>Confusion matrix, row-normalised (rows: ground truth, columns:")
                    .append(" prediction)</figcaption></figure>\n");
        }
        if (!s.examples().isEmpty()) {
            h.append("<h3>Examples (image | ground truth | prediction)</h3>\n<div class=\"examples\">\n");
            for (Triplet t : s.examples()) {
                String src = link(folder, t.png());
                h.append("<figure><a href=\"").append(src).append("\"><img src=\"").append(src)
                        .append("\" alt=\"").append(escape(t.stem())).append("\" loading=\"lazy\"></a><figcaption>")
                        .append(escape(t.stem())).append("</figcaption></figure>\n");
            }
            h.append("</div>\n");
        }
        classTable(h, s);
        h.append("</section>\n");
    }

    private static void classTable(StringBuilder h, DatasetSection s) {
        TreeSet<Integer> included = new TreeSet<>(s.includedClasses());
        int k = s.classNames().size();
        int excluded = k - included.size();
        double[] iou = s.iou();
        double[] acc = s.acc();
        h.append("<details>\n<summary>Per-class results: ").append(k).append(" classes");
        if (excluded > 0) {
            h.append(", ").append(excluded).append(" excluded from the means");
        }
        h.append("</summary>\n<table class=\"classes\">\n<thead>\n<tr><th scope=\"col\" class=\"num\">Id</th>")
                .append("<th scope=\"col\">Class</th><th scope=\"col\" class=\"num\">IoU %</th>")
                .append("<th scope=\"col\" class=\"num\">Acc %</th></tr>\n</thead>\n<tbody>\n");
        for (int c = 0; c < k; c++) {
            boolean in = included.contains(c);
            h.append(in ? "<tr>" : "<tr class=\"excluded\">").append("<td class=\"num\">").append(c)
                    .append("</td><td>").append(escape(s.classNames().get(c))).append("</td><td class=\"num\"")
                    .append(in ? bar(iou[c]) : "").append('>').append(percent(iou[c]))
                    .append("</td><td class=\"num\">").append(percent(acc[c])).append("</td></tr>\n");
        }
        h.append("</tbody>\n</table>\n");
        if (excluded > 0) {
            h.append("<p class=\"legend\">Greyed classes are excluded from mIoU and mAcc (MSeg's excluded_ids rule:")
                    .append(" universal classes that no class of this dataset's own taxonomy maps to).</p>\n");
        }
        h.append("</details>\n");
    }

    /** A style attribute drawing {@code v} (0..1) as a bar behind the cell's text; empty for NaN. */
    private static String bar(double v) {
        if (!Double.isFinite(v)) {
            return "";
        }
        String w = String.format(Locale.ROOT, "%.1f%%", Math.max(0, Math.min(1, v)) * 100);
        return " style=\"background: linear-gradient(90deg, #dbe8f7 " + w + ", transparent " + w + ")\"";
    }

    private static String anchor(int index) {
        return "dataset-" + (index + 1);
    }

    private static String percent(double fraction) {
        return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%.2f", 100 * fraction) : "n/a";
    }

    /** An image path as an HTML attribute value: relative to the report, '/'-separated, URL- and HTML-escaped. */
    static String link(Path folder, String path) {
        String p = path.replace('\\', '/');
        Path asPath = Path.of(path);
        if (asPath.isAbsolute() && folder != null) {
            p = folder.relativize(asPath).toString().replace('\\', '/');
        }
        try {
            p = new URI(null, null, p, null).getRawPath();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("image path " + path + " cannot be linked: " + e.getMessage(), e);
        }
        return escape(p);
    }

    /** {@code text} with HTML's special characters escaped, for element content and quoted attribute values. */
    static String escape(String text) {
        StringBuilder b = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static final String CSS = String.join("\n", Arrays.asList(
            ":root { color-scheme: light; --ink: #1d232b; --muted: #6b7480; --line: #d9dee5; --accent: #2b6cb0; }",
            "body { margin: 0; font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;"
                    + " color: var(--ink); background: #f6f7f9; }",
            "main { max-width: 1200px; margin: 0 auto; padding: 24px; }",
            "h1 { font-size: 1.6em; margin: 0 0 16px; }",
            "h2 { font-size: 1.25em; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }",
            "h2 small { color: var(--muted); font-weight: normal; font-size: 0.75em; }",
            "h3 { font-size: 1.05em; margin: 20px 0 8px; }",
            "table { border-collapse: collapse; background: #fff; margin: 8px 0; }",
            "th, td { border: 1px solid var(--line); padding: 4px 10px; text-align: left; vertical-align: top; }",
            "thead th { background: #eef1f5; }",
            "td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }",
            "table.kv th { background: #eef1f5; font-weight: 600; }",
            "table.kv td { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }",
            "tr.harmonic-mean th, tr.harmonic-mean td { font-weight: 700; background: #f1f6fc; }",
            "a { color: var(--accent); }",
            ".note { color: #8a5a00; background: #fff6e0; border-left: 3px solid #e0a800; padding: 4px 10px; }",
            ".scores { font-size: 1.05em; }",
            "figure { margin: 8px 0; }",
            "figure img { max-width: 100%; height: auto; border: 1px solid var(--line); background: #fff; }",
            "figcaption { color: var(--muted); font-size: 0.9em; }",
            ".examples { display: grid; grid-template-columns: 1fr; gap: 12px; }",
            "details { margin: 12px 0; }",
            "summary { cursor: pointer; font-weight: 600; }",
            "table.classes td.num { min-width: 5em; }",
            "tr.excluded td { color: #a0a7b0; background: #f3f4f6; }",
            ".legend { color: var(--muted); font-size: 0.9em; }",
            ".charts { display: flex; flex-wrap: wrap; gap: 12px; }",
            "figure.chart svg { max-width: 100%; height: auto; border: 1px solid var(--line); }",
            "")) + "\n";
}
