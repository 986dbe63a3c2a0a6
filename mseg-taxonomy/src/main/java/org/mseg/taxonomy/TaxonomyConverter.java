package org.mseg.taxonomy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.mseg.api.ConfigException;
import org.mseg.api.plugin.Discovered;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.plugin.Registry;
import org.mseg.api.taxonomy.TaxonomyDefinition;
import org.mseg.api.taxonomy.TaxonomyKind;
import org.mseg.api.taxonomy.TaxonomyProvider;
import org.mseg.api.taxonomy.TaxonomyRemap;

/**
 * Converts class ids between taxonomies, as MSeg's {@code TaxonomyConverter} does, for any registered taxonomy
 * (built-in or from a plugin):
 *
 * <ul>
 *   <li>{@link #toUniversal(String)}: dataset id → universal id, a 256-entry (at least) lookup table used on labels;</li>
 *   <li>{@link #universalToTest(String)}: for each universal class, the test class whose probability it adds to;</li>
 *   <li>{@link #toNaive(String)} and {@link #naiveToTest(String)}: the same through the naive taxonomy;</li>
 *   <li>{@link #remap(String, String)}: the raw → semseg and semseg → relabeled remappings.</li>
 * </ul>
 *
 * <p><b>Difference from upstream:</b> upstream's dense tables are zero-initialised, so an id its mapping does not
 * cover silently becomes universal class 0 ({@code backpack}). Here every uncovered id, and every class without a
 * universal counterpart, maps to ignore (255).
 */
public final class TaxonomyConverter {
    private final Registry<TaxonomyDefinition> taxonomies;
    private final List<TaxonomyRemap> remaps;
    private final TaxonomyDefinition universal;
    private final Map<String, Integer> universalIds = new HashMap<>();
    private final Map<String, TaxonomyMapping> cache = new java.util.concurrent.ConcurrentHashMap<>();

    private TaxonomyConverter(Registry<TaxonomyDefinition> taxonomies, List<TaxonomyRemap> remaps) {
        this.taxonomies = taxonomies;
        this.remaps = List.copyOf(remaps);
        this.universal = taxonomies.find(MsegTaxonomies.UNIVERSAL).orElseThrow(() -> new ConfigException(
                "No taxonomy named 'universal' is registered; the mseg-taxonomy module must be on the module path."));
        List<String> names = universal.classNames();
        for (int i = 0; i < names.size(); i++) {
            universalIds.put(names.get(i), i);
        }
    }

    /** A converter over the given taxonomies and remappings. */
    public static TaxonomyConverter of(Registry<TaxonomyDefinition> taxonomies, List<TaxonomyRemap> remaps) {
        return new TaxonomyConverter(taxonomies, remaps);
    }

    /** A converter over every taxonomy and remapping the environment's providers define. */
    public static TaxonomyConverter of(PluginEnvironment environment) {
        List<TaxonomyRemap> remaps = new ArrayList<>();
        for (Discovered<TaxonomyProvider> d : environment.providers(TaxonomyProvider.class)) {
            remaps.addAll(d.provider().remaps());
        }
        return new TaxonomyConverter(environment.taxonomies(), remaps);
    }

    /** The registered taxonomies. */
    public Registry<TaxonomyDefinition> taxonomies() {
        return taxonomies;
    }

    /** The registered remappings. */
    public List<TaxonomyRemap> remaps() {
        return remaps;
    }

    /** The universal taxonomy. */
    public TaxonomyDefinition universal() {
        return universal;
    }

    /** Number of universal classes (194 for MSeg). */
    public int numUniversalClasses() {
        return universal.numClasses();
    }

    /**
     * A taxonomy by name.
     *
     * @throws org.mseg.api.PluginException listing the available names if there is none
     */
    public TaxonomyDefinition taxonomy(String name) {
        return taxonomies.get(name);
    }

    /** The universal id of a universal class name. */
    public Optional<Integer> universalId(String className) {
        return Optional.ofNullable(universalIds.get(className));
    }

    /**
     * Dataset id → universal id for a taxonomy that defines its universal mapping.
     *
     * @throws ConfigException if the taxonomy defines none, or maps to a universal class that does not exist
     */
    public TaxonomyMapping toUniversal(String dataset) {
        return cache.computeIfAbsent("u:" + dataset, k -> buildToUniversal(taxonomy(dataset)));
    }

    private TaxonomyMapping buildToUniversal(TaxonomyDefinition d) {
        if (d.kind() == TaxonomyKind.UNIVERSAL) {
            return identity(d);
        }
        if (!d.mapsToUniversal()) {
            throw new ConfigException("Taxonomy '" + d.name() + "' (" + d.kind().label()
                    + ") defines no mapping to the universal taxonomy. Taxonomies that do: "
                    + String.join(", ", namesWhere(TaxonomyDefinition::mapsToUniversal)) + ".");
        }
        int[] table = ignoreTable(Math.max(256, d.numClasses()));
        for (int i = 0; i < d.numClasses(); i++) {
            String target = d.toUniversal().get(d.classNames().get(i));
            if (target == null || target.equals(TaxonomyDefinition.UNLABELED)) {
                continue;
            }
            Integer uid = universalIds.get(target);
            if (uid == null) {
                throw new ConfigException("Taxonomy '" + d.name() + "' maps class '" + d.classNames().get(i)
                        + "' to '" + target + "', which is not a universal class. Use a name from the 'universal'"
                        + " column of MSeg_master.tsv (see 'mseg-cli taxonomy show universal'), or 'unlabeled'.");
            }
            table[i] = uid;
        }
        return new TaxonomyMapping(d, universal, table);
    }

    /** Universal id → test class id of a test taxonomy (255 where a universal class feeds no test class). */
    public TaxonomyMapping universalToTest(String testDataset) {
        return cache.computeIfAbsent("t:" + testDataset, k -> {
            TaxonomyDefinition t = taxonomy(testDataset);
            if (t.fromUniversal().isEmpty()) {
                throw new ConfigException("Taxonomy '" + testDataset + "' defines no projection from the universal"
                        + " taxonomy. Taxonomies that do: "
                        + String.join(", ", namesWhere(x -> !x.fromUniversal().isEmpty())) + ".");
            }
            int[] table = ignoreTable(universal.numClasses());
            t.fromUniversal().forEach((u, cls) -> {
                Integer uid = universalIds.get(u);
                if (uid == null) {
                    throw new ConfigException("Taxonomy '" + testDataset + "' projects from '" + u
                            + "', which is not a universal class.");
                }
                table[uid] = t.idOf(cls);
            });
            return new TaxonomyMapping(universal, t, table);
        });
    }

    /** The naive taxonomy. */
    public TaxonomyDefinition naive() {
        return taxonomy(MsegTaxonomies.NAIVE);
    }

    /** Dataset id → naive id by lower-cased class name (255 where the naive taxonomy has no such name). */
    public TaxonomyMapping toNaive(String dataset) {
        return cache.computeIfAbsent("n:" + dataset, k -> {
            TaxonomyDefinition d = taxonomy(dataset);
            Map<String, Integer> naiveIds = naiveIds();
            // Naive ids run to 314, so 255 is a class there and ignore is the wide ignore id.
            int[] table = new int[Math.max(256, d.numClasses())];
            Arrays.fill(table, TaxonomyMapping.ignoreIdOf(naive()));
            for (int i = 0; i < d.numClasses(); i++) {
                Integer id = naiveIds.get(NaiveTaxonomy.key(d.classNames().get(i)));
                if (id != null) {
                    table[i] = id;
                }
            }
            return new TaxonomyMapping(d, naive(), table);
        });
    }

    /** Naive id → test class id: each test class receives the naive class of the same lower-cased name, if any. */
    public TaxonomyMapping naiveToTest(String testDataset) {
        return cache.computeIfAbsent("nt:" + testDataset, k -> {
            TaxonomyDefinition t = taxonomy(testDataset);
            Map<String, Integer> naiveIds = naiveIds();
            int[] table = ignoreTable(naive().numClasses());
            for (int j = 0; j < t.numClasses(); j++) {
                Integer id = naiveIds.get(NaiveTaxonomy.key(t.classNames().get(j)));
                if (id != null) {
                    table[id] = j;
                }
            }
            return new TaxonomyMapping(naive(), t, table);
        });
    }

    /**
     * A class-name remapping between two taxonomies (raw → semseg, semseg → relabeled). Source classes mapped to
     * {@code unlabeled}, or not listed, become 255.
     */
    public TaxonomyMapping remap(String from, String to) {
        return cache.computeIfAbsent("r:" + from + ">" + to, k -> {
            TaxonomyRemap remap = remaps.stream().filter(r -> r.from().equals(from) && r.to().equals(to))
                    .findFirst().orElseThrow(() -> new ConfigException("No remapping from '" + from + "' to '" + to
                            + "'. Remappings: " + remapNames() + "."));
            TaxonomyDefinition src = taxonomy(from);
            TaxonomyDefinition dst = taxonomy(to);
            int[] table = ignoreTable(Math.max(256, src.numClasses()));
            for (int i = 0; i < src.numClasses(); i++) {
                String target = remap.classMap().get(src.classNames().get(i));
                if (target == null || target.equals(TaxonomyDefinition.UNLABELED)) {
                    continue;
                }
                int id = dst.idOf(target);
                if (id < 0) {
                    throw new ConfigException("Remapping " + from + " -> " + to + " sends '" + src.classNames().get(i)
                            + "' to '" + target + "', which is not a class of " + to + ".");
                }
                table[i] = id;
            }
            return new TaxonomyMapping(src, dst, table);
        });
    }

    /**
     * Whatever mapping relates two taxonomies: identity, a remapping, dataset → universal (also raw → semseg →
     * universal), universal → test, any → naive, naive → test.
     *
     * @throws ConfigException if none applies; lists what exists
     */
    public TaxonomyMapping mapping(String from, String to) {
        TaxonomyDefinition src = taxonomy(from);
        TaxonomyDefinition dst = taxonomy(to);
        if (from.equals(to)) {
            return identity(src);
        }
        if (remaps.stream().anyMatch(r -> r.from().equals(from) && r.to().equals(to))) {
            return remap(from, to);
        }
        if (dst.kind() == TaxonomyKind.UNIVERSAL) {
            if (src.mapsToUniversal()) {
                return toUniversal(from);
            }
            for (TaxonomyRemap r : remaps) {
                if (r.from().equals(from) && taxonomies.find(r.to()).map(TaxonomyDefinition::mapsToUniversal)
                        .orElse(false)) {
                    return compose(remap(from, r.to()), toUniversal(r.to()));
                }
            }
        }
        if (dst.kind() == TaxonomyKind.NAIVE) {
            return toNaive(from);
        }
        if (src.kind() == TaxonomyKind.UNIVERSAL && !dst.fromUniversal().isEmpty()) {
            return universalToTest(to);
        }
        if (src.kind() == TaxonomyKind.NAIVE && dst.kind() == TaxonomyKind.TEST) {
            return naiveToTest(to);
        }
        throw new ConfigException("No mapping from '" + from + "' to '" + to + "'. Mappings exist from a dataset"
                + " taxonomy to 'universal' or 'naive', from 'universal' or 'naive' to a test taxonomy, and along the"
                + " remappings " + remapNames() + ".");
    }

    /**
     * Universal ids that the given dataset taxonomy can never produce: {@code {0..K-1}} minus the targets of
     * {@link #toUniversal(String)}. Upstream drops them from the mean when scoring a universal model on a training
     * dataset.
     */
    public Set<Integer> excludedUniversalIds(String dataset) {
        TaxonomyMapping m = toUniversal(dataset);
        Set<Integer> excluded = new TreeSet<>();
        for (int u = 0; u < universal.numClasses(); u++) {
            excluded.add(u);
        }
        for (int i = 0; i < m.from().numClasses(); i++) {
            excluded.remove(m.apply(i));
        }
        return java.util.Collections.unmodifiableSet(excluded);
    }

    private TaxonomyMapping compose(TaxonomyMapping first, TaxonomyMapping second) {
        int[] table = first.table();
        for (int i = 0; i < table.length; i++) {
            table[i] = table[i] == TaxonomyDefinition.IGNORE_ID ? table[i] : second.apply(table[i]);
        }
        return new TaxonomyMapping(first.from(), second.to(), table);
    }

    private Map<String, Integer> naiveIds() {
        List<String> names = naive().classNames();
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            ids.put(names.get(i), i);
        }
        return ids;
    }

    private static TaxonomyMapping identity(TaxonomyDefinition t) {
        int[] table = ignoreTable(Math.max(256, t.numClasses()));
        for (int i = 0; i < t.numClasses(); i++) {
            table[i] = i;
        }
        return new TaxonomyMapping(t, t, table);
    }

    private static int[] ignoreTable(int size) {
        int[] table = new int[size];
        Arrays.fill(table, TaxonomyDefinition.IGNORE_ID);
        return table;
    }

    private List<String> namesWhere(java.util.function.Predicate<TaxonomyDefinition> p) {
        return taxonomies.values().stream().filter(p).map(TaxonomyDefinition::name).toList();
    }

    private String remapNames() {
        return String.join(", ", remaps.stream().map(r -> r.from() + " -> " + r.to()).toList());
    }
}
