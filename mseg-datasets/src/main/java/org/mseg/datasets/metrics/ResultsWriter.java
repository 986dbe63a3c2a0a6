package org.mseg.datasets.metrics;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.List;
import org.mseg.api.MsegException;
import org.mseg.api.io.AtomicFiles;
import org.mseg.api.json.Json;

/**
 * Writes MSeg's evaluation outputs (MSEG.md g.5): {@code results.txt} byte-for-byte in upstream's format and
 * {@code results.json} with the same numbers at full precision.
 *
 * <p>{@code results.txt}: {@code Eval result: mIoU/mAcc/allAcc 0.xxxx/0.xxxx/0.xxxx.} then, for each non-excluded
 * class, {@code Class_NN result: iou/accuracy 0.xxxx/0.xxxx, name: <class>.}, every line ending in {@code \n}. Numbers
 * are rounded as Python's {@code '{:.4f}'} does (the exact binary value, ties to even), not as {@code String.format}.
 */
public final class ResultsWriter {
    /** File name of the text results. */
    public static final String TEXT_FILE = "results.txt";
    /** File name of the JSON results. */
    public static final String JSON_FILE = "results.json";

    private ResultsWriter() {
    }

    /**
     * Writes {@value #TEXT_FILE} and {@value #JSON_FILE} into a folder (created if needed), each atomically.
     *
     * @throws IllegalArgumentException if the number of class names is not the number of classes
     * @throws MsegException            if a file cannot be written; names the file
     */
    public static void write(Path folder, SegmentationMetrics metrics, List<String> classNames) {
        String text = text(metrics, classNames);
        String json = json(metrics, classNames, true) + "\n";
        writeAtomically(folder.resolve(TEXT_FILE), text);
        writeAtomically(folder.resolve(JSON_FILE), json);
    }

    /** The content of {@value #TEXT_FILE}. */
    public static String text(SegmentationMetrics metrics, List<String> classNames) {
        checkNames(metrics, classNames);
        StringBuilder sb = new StringBuilder();
        sb.append("Eval result: mIoU/mAcc/allAcc ").append(format4(metrics.mIoU())).append('/')
                .append(format4(metrics.mAcc())).append('/').append(format4(metrics.allAcc())).append(".\n");
        for (int k : metrics.includedClasses()) {
            sb.append("Class_").append(k < 10 ? "0" : "").append(k).append(" result: iou/accuracy ")
                    .append(format4(metrics.iou(k))).append('/').append(format4(metrics.accuracy(k)))
                    .append(", name: ").append(classNames.get(k)).append(".\n");
        }
        return sb.toString();
    }

    /**
     * The results as one JSON object: {@code mIoU}, {@code mAcc}, {@code allAcc}, {@code numClasses},
     * {@code classes} (names in class order), {@code iou} and {@code acc} (per class, in class order, excluded classes
     * included), {@code excluded} (ids left out of the means).
     *
     * @param pretty two-space indentation and one field per line, else a single line
     */
    public static String json(SegmentationMetrics metrics, List<String> classNames, boolean pretty) {
        checkNames(metrics, classNames);
        String nl = pretty ? "\n  " : "";
        String sep = pretty ? ": " : ":";
        String listSep = pretty ? ", " : ",";
        StringBuilder sb = new StringBuilder("{");
        sb.append(nl).append("\"mIoU\"").append(sep).append(number(metrics.mIoU())).append(',');
        sb.append(nl).append("\"mAcc\"").append(sep).append(number(metrics.mAcc())).append(',');
        sb.append(nl).append("\"allAcc\"").append(sep).append(number(metrics.allAcc())).append(',');
        sb.append(nl).append("\"numClasses\"").append(sep).append(metrics.numClasses()).append(',');
        sb.append(nl).append("\"classes\"").append(sep).append('[');
        for (int k = 0; k < classNames.size(); k++) {
            sb.append(k > 0 ? listSep : "");
            sb.append(Json.write(classNames.get(k), false));
        }
        sb.append("],");
        sb.append(nl).append("\"iou\"").append(sep).append('[');
        for (int k = 0; k < metrics.numClasses(); k++) {
            sb.append(k > 0 ? listSep : "").append(number(metrics.iou(k)));
        }
        sb.append("],");
        sb.append(nl).append("\"acc\"").append(sep).append('[');
        for (int k = 0; k < metrics.numClasses(); k++) {
            sb.append(k > 0 ? listSep : "").append(number(metrics.accuracy(k)));
        }
        sb.append("],");
        sb.append(nl).append("\"excluded\"").append(sep).append('[');
        boolean first = true;
        for (int id : metrics.excluded()) {
            sb.append(first ? "" : listSep).append(id);
            first = false;
        }
        sb.append(']');
        sb.append(pretty ? "\n}" : "}");
        return sb.toString();
    }

    /** A value as Python's {@code '{:.4f}'.format(v)}: exact binary value rounded half-to-even to 4 decimals. */
    public static String format4(double value) {
        if (!Double.isFinite(value)) {
            return Double.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
        }
        return new BigDecimal(value).setScale(4, RoundingMode.HALF_EVEN).toPlainString();
    }

    private static String number(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }

    private static void checkNames(SegmentationMetrics metrics, List<String> classNames) {
        if (classNames.size() != metrics.numClasses()) {
            throw new IllegalArgumentException(classNames.size() + " class names for " + metrics.numClasses()
                    + " classes");
        }
    }

    static void writeAtomically(Path file, String content) {
        AtomicFiles.writeString(file, content);
    }
}
