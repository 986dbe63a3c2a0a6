package org.mseg.api.testkit;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.dataset.DatasetProvider;
import org.mseg.api.dataset.LabelEncoding;
import org.mseg.api.dataset.SplitDefinition;
import org.mseg.api.plugin.Registry;
import org.mseg.api.taxonomy.TaxonomyDefinition;
import org.mseg.api.taxonomy.TaxonomyProvider;

/**
 * The contract every dataset and taxonomy provider must meet, as a list of violations (empty = conforming), so that
 * any provider, built-in or third-party, can check itself in one line: {@code assertEquals(List.of(),
 * DatasetProviderContract.violations(provider, environment.taxonomies()))}. It depends on {@code mseg-api} only.
 *
 * <p>A dataset provider has a lower-case name without spaces and at least one dataset; dataset names are unique; each
 * dataset names a registered taxonomy that fits its label encoding, a relative folder and at least one split with
 * unique names; every bundled list is readable (plain or gzip), non-empty and well-formed: one relative path per line
 * for unlabeled splits, two (image, label) separated by a single space for labeled ones, as MSeg's reader requires.
 * A taxonomy provider's taxonomies have unique class names, and every {@code toUniversal} target is a universal class
 * name or {@code unlabeled}.
 *
 * <p>It ships in {@code mseg-api}, so a plugin's own tests call it directly; MSeg runs it against its built-in
 * providers and against the example plugin.
 */
public final class DatasetProviderContract {
    private DatasetProviderContract() {
    }

    /** Violations of the dataset provider contract; {@code taxonomies} must hold every registered taxonomy. */
    public static List<String> violations(DatasetProvider provider, Registry<TaxonomyDefinition> taxonomies) {
        List<String> v = new ArrayList<>();
        String p = "provider '" + provider.name() + "' (" + provider.getClass().getName() + ")";
        checkName(v, p, provider.name());
        List<DatasetDefinition> datasets = provider.datasets();
        if (datasets.isEmpty()) {
            v.add(p + " describes no dataset");
        }
        Set<String> names = new HashSet<>();
        for (DatasetDefinition d : datasets) {
            String where = p + ", dataset '" + d.name() + "'";
            if (!names.add(d.name())) {
                v.add(where + " is listed twice");
            }
            if (!d.name().equals(d.name().strip()) || d.name().contains(" ")) {
                v.add(where + ": the name must not contain spaces");
            }
            TaxonomyDefinition t = taxonomies.find(d.taxonomy()).orElse(null);
            if (t == null) {
                v.add(where + " uses taxonomy '" + d.taxonomy() + "', which no taxonomy provider defines");
            } else if (d.labelEncoding() == LabelEncoding.GRAY8 && t.numClasses() > TaxonomyDefinition.IGNORE_ID) {
                v.add(where + " stores 8-bit labels but taxonomy '" + t.name() + "' has " + t.numClasses()
                        + " classes (at most 255 fit beside the ignore value)");
            }
            if (d.folder().isBlank() || d.folder().startsWith("/") || d.folder().contains("..")
                    || d.folder().contains("\\")) {
                v.add(where + ": folder '" + d.folder() + "' must be a relative path with '/' separators");
            }
            if (d.splits().isEmpty()) {
                v.add(where + " has no split");
            }
            Set<String> splits = new HashSet<>();
            for (SplitDefinition s : d.splits()) {
                if (!splits.add(s.name())) {
                    v.add(where + " lists split '" + s.name() + "' twice");
                }
                s.bundledList().ifPresent(url -> checkList(v, where + ", split '" + s.name() + "'", url,
                        s.labeled()));
            }
        }
        return v;
    }

    /** Violations of the taxonomy provider contract; {@code universalNames} are the universal taxonomy's classes. */
    public static List<String> violations(TaxonomyProvider provider, Set<String> universalNames) {
        List<String> v = new ArrayList<>();
        String p = "provider '" + provider.name() + "' (" + provider.getClass().getName() + ")";
        checkName(v, p, provider.name());
        if (provider.taxonomies().isEmpty()) {
            v.add(p + " defines no taxonomy");
        }
        Set<String> names = new HashSet<>();
        for (TaxonomyDefinition t : provider.taxonomies()) {
            String where = p + ", taxonomy '" + t.name() + "'";
            if (!names.add(t.name())) {
                v.add(where + " is defined twice");
            }
            Set<String> classes = new HashSet<>();
            for (String c : t.classNames()) {
                if (!classes.add(c) && !c.equals(TaxonomyDefinition.UNLABELED)) {
                    v.add(where + " lists class '" + c + "' twice");
                }
            }
            t.toUniversal().forEach((from, to) -> {
                if (!to.equals(TaxonomyDefinition.UNLABELED) && !universalNames.contains(to)) {
                    v.add(where + " maps '" + from + "' to '" + to + "', which is not a universal class");
                }
            });
            t.fromUniversal().keySet().forEach(u -> {
                if (!universalNames.contains(u)) {
                    v.add(where + " reads universal class '" + u + "', which does not exist");
                }
            });
        }
        return v;
    }

    private static void checkName(List<String> v, String p, String name) {
        if (name.isBlank() || !name.equals(name.toLowerCase(java.util.Locale.ROOT)) || name.contains(" ")) {
            v.add(p + ": provider names are lower case without spaces");
        }
    }

    private static void checkList(List<String> v, String where, URL url, boolean labeled) {
        int expected = labeled ? 2 : 1;
        int lines = 0;
        try (InputStream raw = url.openStream(); BufferedInputStream in = new BufferedInputStream(raw)) {
            in.mark(2);
            int b0 = in.read();
            int b1 = in.read();
            in.reset();
            InputStream text = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(in) : in;
            BufferedReader reader = new BufferedReader(new InputStreamReader(text, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                lines++;
                String[] tokens = line.strip().split(" ", -1);
                boolean ok = tokens.length == expected;
                for (String token : tokens) {
                    ok &= !token.isEmpty() && !token.startsWith("/") && !token.contains("\\");
                }
                if (!ok) {
                    v.add(where + ": bundled list " + url + " line " + lines + " is not " + (labeled
                            ? "'<image> <label>' (two relative paths, one space)" : "'<image>' (one relative path)")
                            + ": '" + line + "'");
                    return;
                }
            }
        } catch (IOException e) {
            v.add(where + ": bundled list " + url + " cannot be read: " + e.getMessage());
            return;
        }
        if (lines == 0) {
            v.add(where + ": bundled list " + url + " is empty");
        }
    }
}
