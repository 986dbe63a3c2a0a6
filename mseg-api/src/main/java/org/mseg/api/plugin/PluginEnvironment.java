package org.mseg.api.plugin;

import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolutionException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.mseg.api.PluginException;
import org.mseg.api.Provider;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.dataset.DatasetProvider;
import org.mseg.api.model.ModelProvider;
import org.mseg.api.taxonomy.TaxonomyDefinition;
import org.mseg.api.taxonomy.TaxonomyProvider;
import org.mseg.api.train.TrainingStrategyProvider;

/**
 * Everything MSeg can find at run time: the providers in a module layer (the boot layer, or a child layer holding the
 * jars of plugin folders) and those registered through {@code META-INF/services} on a class loader's class path.
 *
 * <p>Built-in providers are found the same way as third-party ones. An instance caches what it discovered; there is no
 * static state, so tests build their own environments (see {@link #of(ModuleLayer, ClassLoader)}).
 */
public final class PluginEnvironment {
    private final ModuleLayer layer;
    private final ClassLoader classPathLoader;
    private final List<Path> pluginJars;
    private final Map<Class<?>, List<Discovered<?>>> cache = new LinkedHashMap<>();
    private Registry<TaxonomyDefinition> taxonomies;
    private Registry<DatasetDefinition> datasets;
    private Registry<ModelProvider> models;
    private Registry<TrainingStrategyProvider> strategies;

    private PluginEnvironment(ModuleLayer layer, ClassLoader classPathLoader, List<Path> pluginJars) {
        this.layer = Objects.requireNonNull(layer, "layer");
        this.classPathLoader = classPathLoader;
        this.pluginJars = List.copyOf(pluginJars);
    }

    /** Providers of the boot layer and of the application class path. */
    public static PluginEnvironment boot() {
        return new PluginEnvironment(ModuleLayer.boot(), ClassLoader.getSystemClassLoader(), List.of());
    }

    /**
     * Providers of the given layer (and its parents) and of the given class loader's class path.
     *
     * @param classPathLoader searched for {@code META-INF/services} registrations; {@code null} to search the layer only
     */
    public static PluginEnvironment of(ModuleLayer layer, ClassLoader classPathLoader) {
        return new PluginEnvironment(layer, classPathLoader, List.of());
    }

    /**
     * The boot layer plus every jar found directly in the given folders, loaded into one child module layer. Modular
     * jars keep their {@code module-info}; plain jars become automatic modules whose {@code META-INF/services} files
     * register their providers. Folders that do not exist are skipped.
     *
     * @throws PluginException if a jar is not a valid module or its modules do not resolve; names the jar and the fix
     */
    public static PluginEnvironment withPluginFolders(List<Path> folders) {
        List<Path> jars = new ArrayList<>();
        for (Path folder : folders) {
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (Stream<Path> files = Files.list(folder)) {
                files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().forEach(jars::add);
            } catch (IOException e) {
                throw new PluginException("Cannot list plugin folder " + folder + ": " + e.getMessage()
                        + ". Check that it is a readable directory.", e);
            }
        }
        if (jars.isEmpty()) {
            return new PluginEnvironment(ModuleLayer.boot(), ClassLoader.getSystemClassLoader(), List.of());
        }
        return new PluginEnvironment(childLayer(ModuleLayer.boot(), jars), ClassLoader.getSystemClassLoader(), jars);
    }

    private static ModuleLayer childLayer(ModuleLayer parent, List<Path> jars) {
        ModuleFinder finder;
        Set<String> roots;
        try {
            finder = ModuleFinder.of(jars.toArray(Path[]::new));
            roots = finder.findAll().stream().map(r -> r.descriptor().name())
                    .filter(name -> parent.findModule(name).isEmpty())
                    .collect(Collectors.toCollection(java.util.TreeSet::new));
        } catch (FindException e) {
            throw new PluginException("A plugin jar is not a valid module: " + e.getMessage()
                    + ". Plugin jars in " + jars.get(0).getParent() + " must be modular jars or plain jars with"
                    + " META-INF/services entries; remove or rebuild the offending jar.", e);
        }
        try {
            Configuration cf = parent.configuration().resolveAndBind(finder, ModuleFinder.of(), roots);
            return parent.defineModulesWithOneLoader(cf, ClassLoader.getSystemClassLoader());
        } catch (ResolutionException | FindException | LayerInstantiationException e) {
            throw new PluginException("Plugin modules " + roots + " from " + jars + " do not resolve: "
                    + e.getMessage() + ". Add the missing dependency jars to the plugin folder, or remove the plugin.",
                    e);
        }
    }

    /** The module layer searched for providers. */
    public ModuleLayer layer() {
        return layer;
    }

    /** The jars loaded from plugin folders, if any. */
    public List<Path> pluginJars() {
        return pluginJars;
    }

    /**
     * Every provider of a service type: first those of the module layer (and its parents), then those registered only
     * on the class path. A provider class found both ways is reported once.
     *
     * @throws PluginException if a provider cannot be instantiated; names the provider and its module
     */
    @SuppressWarnings("unchecked")
    public synchronized <S> List<Discovered<S>> providers(Class<S> service) {
        List<Discovered<?>> found = cache.get(service);
        if (found == null) {
            found = List.copyOf(discover(service));
            cache.put(service, found);
        }
        return (List<Discovered<S>>) (List<?>) found;
    }

    private <S> List<Discovered<S>> discover(Class<S> service) {
        // The loader below runs in this module: let it use any service type, not only the ones module-info declares.
        PluginEnvironment.class.getModule().addUses(service);
        Map<Class<?>, Discovered<S>> byType = new IdentityHashMap<>();
        List<Discovered<S>> ordered = new ArrayList<>();
        try {
            collect(ServiceLoader.load(layer, service), byType, ordered);
            if (classPathLoader != null) {
                collect(ServiceLoader.load(service, classPathLoader), byType, ordered);
            }
        } catch (ServiceConfigurationError e) {
            throw new PluginException("Cannot load a " + service.getSimpleName() + " provider: " + e.getMessage()
                    + ". Check the provider's module-info 'provides' clause or META-INF/services/"
                    + service.getName() + " entry, and that the class is public with a public no-argument"
                    + " constructor.", e);
        }
        return ordered;
    }

    private static <S> void collect(ServiceLoader<S> loader, Map<Class<?>, Discovered<S>> byType,
            List<Discovered<S>> ordered) {
        for (ServiceLoader.Provider<S> p : (Iterable<ServiceLoader.Provider<S>>) loader.stream()::iterator) {
            Class<? extends S> type = p.type();
            if (byType.containsKey(type)) {
                continue;
            }
            Discovered<S> d = new Discovered<>(p.get(), Origin.of(type));
            byType.put(type, d);
            ordered.add(d);
        }
    }

    /**
     * All taxonomies of all taxonomy providers.
     *
     * @throws PluginException if two providers define a taxonomy of the same name
     */
    public synchronized Registry<TaxonomyDefinition> taxonomies() {
        if (taxonomies == null) {
            List<Registration<TaxonomyDefinition>> all = new ArrayList<>();
            for (Discovered<TaxonomyProvider> d : providers(TaxonomyProvider.class)) {
                for (TaxonomyDefinition t : d.provider().taxonomies()) {
                    all.add(new Registration<>(t.name(), t, d.origin()));
                }
            }
            taxonomies = Registry.of("taxonomy", all);
        }
        return taxonomies;
    }

    /**
     * All datasets of all dataset providers.
     *
     * @throws PluginException if two providers define a dataset of the same name
     */
    public synchronized Registry<DatasetDefinition> datasets() {
        if (datasets == null) {
            List<Registration<DatasetDefinition>> all = new ArrayList<>();
            for (Discovered<DatasetProvider> d : providers(DatasetProvider.class)) {
                for (DatasetDefinition t : d.provider().datasets()) {
                    all.add(new Registration<>(t.name(), t, d.origin()));
                }
            }
            datasets = Registry.of("dataset", all);
        }
        return datasets;
    }

    /** All model providers, by architecture name ({@code TRAIN.arch}). */
    public synchronized Registry<ModelProvider> models() {
        if (models == null) {
            models = named("model", ModelProvider.class);
        }
        return models;
    }

    /** All training strategies, by name ({@code --strategy}). */
    public synchronized Registry<TrainingStrategyProvider> strategies() {
        if (strategies == null) {
            strategies = named("strategy", TrainingStrategyProvider.class);
        }
        return strategies;
    }

    private <S extends Provider> Registry<S> named(String kind, Class<S> service) {
        List<Registration<S>> all = new ArrayList<>();
        for (Discovered<S> d : providers(service)) {
            all.add(new Registration<>(d.provider().name(), d.provider(), d.origin()));
        }
        return Registry.of(kind, all);
    }

    /**
     * Everything discovered, one row per dataset, taxonomy, model and strategy, in that order.
     *
     * @throws PluginException on a duplicate name
     */
    public List<ProviderInfo> describe() {
        List<ProviderInfo> rows = new ArrayList<>();
        datasets().registrations().forEach(r -> rows.add(new ProviderInfo("dataset", r.name(),
                r.value().description(), r.origin())));
        taxonomies().registrations().forEach(r -> rows.add(new ProviderInfo("taxonomy", r.name(),
                r.value().kind().label() + ", " + r.value().classNames().size() + " classes", r.origin())));
        models().registrations().forEach(r -> rows.add(new ProviderInfo("model", r.name(),
                r.value().description(), r.origin())));
        strategies().registrations().forEach(r -> rows.add(new ProviderInfo("strategy", r.name(),
                r.value().description(), r.origin())));
        return List.copyOf(rows);
    }

    /** Module references found in the plugin jars (for diagnostics). */
    public List<String> pluginModules() {
        if (pluginJars.isEmpty()) {
            return List.of();
        }
        return ModuleFinder.of(pluginJars.toArray(Path[]::new)).findAll().stream()
                .map(ModuleReference::descriptor).map(d -> d.toNameAndVersion()).sorted().toList();
    }
}
