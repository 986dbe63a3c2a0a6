package org.mseg.datasets;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.mseg.api.DatasetException;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.dataset.SplitDefinition;

/**
 * A parsed split list ({@code dataset_lists/<dataset>/list/<split>.txt}): one sample per line, {@code <image> <label>}
 * for labeled splits and {@code <image>} for unlabeled ones, paths relative to the dataset folder.
 *
 * <p>Parsing follows upstream: each line is stripped and split on a single space; a line that does not give exactly 2
 * tokens (1 for an unlabeled split) fails with a {@link DatasetException} naming the list, the line number and the
 * line. Gzip-compressed lists are recognised by their magic bytes.
 */
public final class SplitList {
    private final String source;
    private final boolean labeled;
    private final List<SplitEntry> entries;

    private SplitList(String source, boolean labeled, List<SplitEntry> entries) {
        this.source = source;
        this.labeled = labeled;
        this.entries = List.copyOf(entries);
    }

    /**
     * Reads the list of a split: from the lists folder when one is given ({@code <lists>/<dataset>/list/<split>.txt},
     * e.g. an mseg-api checkout's {@code mseg/dataset_lists}), else from the list bundled with the dataset definition.
     *
     * @throws DatasetException if the split does not exist, no list is available, or the list cannot be read or parsed
     */
    public static SplitList read(DatasetDefinition dataset, String splitName, Optional<Path> listsFolder) {
        SplitDefinition split = dataset.split(splitName).orElseThrow(() -> new DatasetException("Dataset '"
                + dataset.name() + "' has no split '" + splitName + "'. Available splits: "
                + String.join(", ", dataset.splitNames()) + "."));
        if (listsFolder.isPresent()) {
            return fromFile(fileIn(listsFolder.get(), dataset.name(), split.name()), split.labeled());
        }
        URL bundled = split.bundledList().orElseThrow(() -> new DatasetException("Dataset '" + dataset.name()
                + "' ships no list for split '" + split.name() + "'. Generate it with 'mseg-cli datasets index "
                + dataset.name() + " --split " + split.name() + " --data-root DIR --out LISTS/" + dataset.name()
                + "/list/" + split.name() + ".txt' and pass --lists LISTS (or an mseg-api checkout's"
                + " mseg/dataset_lists holding that file)."));
        return fromUrl(bundled, "bundled list " + dataset.name() + "/" + split.name() + " (" + bundled + ")",
                split.labeled());
    }

    /**
     * Where a lists folder keeps the list of a split: {@code <listsFolder>/<dataset>/list/<split>.txt}, the layout of
     * mseg-api's {@code mseg/dataset_lists}. The file need not exist.
     */
    public static Path fileIn(Path listsFolder, String datasetName, String splitName) {
        return listsFolder.resolve(datasetName).resolve("list").resolve(splitName + ".txt");
    }

    /**
     * Reads a list file (plain or gzip-compressed).
     *
     * @throws DatasetException if the file is missing, unreadable or malformed
     */
    public static SplitList fromFile(Path file, boolean labeled) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.toString(), labeled);
        } catch (NoSuchFileException e) {
            throw new DatasetException("Split list " + file + " does not exist. Check the lists folder: it must hold"
                    + " <dataset>/list/<split>.txt as in mseg-api's mseg/dataset_lists.", e);
        } catch (IOException e) {
            throw new DatasetException("Cannot read split list " + file + ": " + e.getMessage()
                    + ". Check that the file is readable.", e);
        }
    }

    /**
     * Reads a list from a URL (plain or gzip-compressed).
     *
     * @param source how to name the list in messages
     * @throws DatasetException if the list cannot be read or is malformed
     */
    public static SplitList fromUrl(URL url, String source, boolean labeled) {
        try (InputStream in = url.openStream()) {
            return parse(in, source, labeled);
        } catch (IOException e) {
            throw new DatasetException("Cannot read " + source + ": " + e.getMessage()
                    + ". Rebuild mseg-datasets or pass a lists folder.", e);
        }
    }

    /**
     * Parses a list from a stream (plain or gzip-compressed, detected by the magic bytes); the stream is not closed.
     *
     * @param source how to name the list in messages
     * @throws IOException      if the stream cannot be read
     * @throws DatasetException if a line is malformed
     */
    public static SplitList parse(InputStream in, String source, boolean labeled) throws IOException {
        Objects.requireNonNull(source, "source");
        BufferedInputStream buffered = new BufferedInputStream(in);
        buffered.mark(2);
        int b0 = buffered.read();
        int b1 = buffered.read();
        buffered.reset();
        InputStream text = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(buffered) : buffered;
        BufferedReader reader = new BufferedReader(new InputStreamReader(text, StandardCharsets.UTF_8));
        List<SplitEntry> entries = new ArrayList<>();
        int expected = labeled ? 2 : 1;
        String line;
        int number = 0;
        while ((line = reader.readLine()) != null) {
            number++;
            String stripped = line.strip();
            String[] tokens = stripped.split(" ", -1);
            // A blank line or a double space gives an empty token: upstream would fail on it too.
            if (tokens.length != expected || hasEmpty(tokens)) {
                throw new DatasetException(source + " line " + number + ": expected " + (labeled
                        ? "'<image path> <label path>' (two paths separated by one space)"
                        : "'<image path>' (one path, the split is unlabeled)") + " but got '" + line + "'. Fix or"
                        + " remove the line.");
            }
            entries.add(new SplitEntry(number, tokens[0], labeled ? Optional.of(tokens[1]) : Optional.empty()));
        }
        return new SplitList(source, labeled, entries);
    }

    private static boolean hasEmpty(String[] tokens) {
        for (String t : tokens) {
            if (t.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Where the list came from (file path or bundled resource), as used in messages. */
    public String source() {
        return source;
    }

    /** True if entries carry label paths. */
    public boolean labeled() {
        return labeled;
    }

    /** The entries in list order. */
    public List<SplitEntry> entries() {
        return entries;
    }

    /** Number of entries. */
    public int size() {
        return entries.size();
    }
}
