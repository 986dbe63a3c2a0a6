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
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
    private final List<String> warnings;
    private final Map<Class<?>, List<Discovered<?>>> cache = new LinkedHashMap<>();
    /** What plugin code runs right now (provider class, module, jar), for a report if it ends the JVM. */
    private volatile String running;
    private Registry<TaxonomyDefinition> taxonomies;
    private Registry<DatasetDefinition> datasets;
    private Registry<ModelProvider> models;
    private Registry<TrainingStrategyProvider> strategies;

    private PluginEnvironment(ModuleLayer layer, ClassLoader classPathLoader, List<Path> pluginJars,
            List<String> warnings) {
        this.layer = Objects.requireNonNull(layer, "layer");
        this.classPathLoader = classPathLoader;
        this.pluginJars = List.copyOf(pluginJars);
        this.warnings = List.copyOf(warnings);
    }

    /** Providers of the boot layer and of the application class path. */
    public static PluginEnvironment boot() {
        return new PluginEnvironment(ModuleLayer.boot(), ClassLoader.getSystemClassLoader(), List.of(), List.of());
    }

    /**
     * Providers of the given layer (and its parents) and of the given class loader's class path.
     *
     * @param classPathLoader searched for {@code META-INF/services} registrations; {@code null} to search the layer only
     */
    public static PluginEnvironment of(ModuleLayer layer, ClassLoader classPathLoader) {
        return new PluginEnvironment(layer, classPathLoader, List.of(), List.of());
    }

    /**
     * The boot layer plus every jar found directly in the given folders, loaded into one child module layer. Modular
     * jars keep their {@code module-info}; plain jars become automatic modules whose {@code META-INF/services} files
     * register their providers. Folders that do not exist are skipped.
     *
     * @throws PluginException if a jar is not a valid module or its modules do not resolve; names the jar and the fix
     */
    public static PluginEnvironment withPluginFolders(List<Path> folders) {
        return withPluginFolders(folders, List.of());
    }

    /**
     * As {@link #withPluginFolders(List)}, and each folder of {@code required} that does not exist, or holds no jar,
     * gives a {@linkplain #warnings() warning}: folders a user named explicitly, unlike a default folder that is
     * normally absent.
     *
     * @param folders  every folder to search, in order
     * @param required the folders among them that should exist
     * @throws PluginException if a jar is not a valid module or its modules do not resolve; names the jar and the fix
     */
    public static PluginEnvironment withPluginFolders(List<Path> folders, List<Path> required) {
        List<Path> jars = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (Path folder : folders) {
            if (!Files.isDirectory(folder)) {
                if (required.contains(folder)) {
                    warnings.add("plugin folder " + folder + (Files.exists(folder) ? " is not a directory"
                            : " does not exist") + "; no plugin is loaded from it. Check the path given with"
                            + " --plugin-dir, MSEG_PLUGIN_PATH or PLUGINS.dirs.");
                }
                continue;
            }
            int before = jars.size();
            try (Stream<Path> files = Files.list(folder)) {
                files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().forEach(jars::add);
            } catch (IOException e) {
                throw new PluginException("Cannot list plugin folder " + folder + ": " + e.getMessage()
                        + ". Check that it is a readable directory.", e);
            }
            if (jars.size() == before && required.contains(folder)) {
                warnings.add("plugin folder " + folder + " holds no .jar file; plugins are loaded only from jars"
                        + " directly in the folder (not from subfolders or class folders).");
            }
        }
        if (jars.isEmpty()) {
            return new PluginEnvironment(ModuleLayer.boot(), ClassLoader.getSystemClassLoader(), List.of(),
                    warnings);
        }
        return new PluginEnvironment(childLayer(ModuleLayer.boot(), jars), ClassLoader.getSystemClassLoader(), jars,
                warnings);
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

    /** Problems that did not stop discovery (a named plugin folder that does not exist, ...), one line each. */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * What to add to a message about an unknown dataset, taxonomy or model name: where plugin jars are looked for,
     * when none is loaded; empty otherwise (the name is then not a plugin's either).
     */
    public String unknownNameHint() {
        return pluginJars.isEmpty() ? NO_PLUGINS_HINT : "";
    }

    /** The hint of {@link #unknownNameHint()} when no plugin jar is loaded. */
    public static final String NO_PLUGINS_HINT = "No plugin jar is loaded: if the name comes from a plugin, put its"
            + " jar in a folder given with --plugin-dir DIR, MSEG_PLUGIN_PATH (folders separated by '"
            + java.io.File.pathSeparator + "'), the config key DATA.plugin_dirs, or $MSEG_HOME/plugins.";

    /**
     * The plugin code running at this moment on behalf of discovery, if any: the provider class being loaded,
     * constructed or asked for its entries, with its module and jar. A guard that sees the JVM end unexpectedly (a
     * provider calling {@code System.exit}) names the culprit with it.
     */
    public Optional<String> runningPluginCode() {
        return Optional.ofNullable(running);
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
            collect(service, ServiceLoader.load(layer, service), byType, ordered);
            if (classPathLoader != null) {
                collect(service, ServiceLoader.load(service, classPathLoader), byType, ordered);
            }
        } finally {
            running = null;
        }
        return ordered;
    }

    private <S> void collect(Class<S> service, ServiceLoader<S> loader, Map<Class<?>, Discovered<S>> byType,
            List<Discovered<S>> ordered) {
        Iterator<ServiceLoader.Provider<S>> providers = loader.stream().iterator();
        while (true) {
            ServiceLoader.Provider<S> p;
            running = "the search for " + service.getSimpleName() + " providers"
                    + (pluginJars.isEmpty() ? "" : " (plugin jars " + pluginJars + ")");
            try {
                if (!providers.hasNext()) {
                    return;
                }
                p = providers.next();
            } catch (ServiceConfigurationError e) {
                throw cannotLoad(service, null, e);
            }
            Class<? extends S> type;
            try {
                type = p.type();
            } catch (ServiceConfigurationError e) {
                throw cannotLoad(service, null, e);
            }
            if (byType.containsKey(type)) {
                continue;
            }
            Origin origin = Origin.of(type);
            running = describeRunning(origin);
            S instance;
            try {
                instance = p.get();
            } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                throw cannotLoad(service, origin, e);
            }
            Discovered<S> d = new Discovered<>(instance, origin);
            byType.put(type, d);
            ordered.add(d);
        }
    }

    private static String describeRunning(Origin origin) {
        return "provider " + origin.type() + " of module " + origin.module() + " (" + origin.location() + ")";
    }

    /** The provider's own message and its causes are what tells its author what went wrong: keep them all. */
    private static PluginException cannotLoad(Class<?> service, Origin origin, Throwable e) {
        StringBuilder message = new StringBuilder("Cannot load a ").append(service.getSimpleName())
                .append(" provider");
        if (origin != null) {
            message.append(' ').append(origin.type()).append(" from ").append(origin.describe());
        }
        message.append(": ").append(causeChain(e));
        message.append(". Check the provider's module-info 'provides' clause or META-INF/services/")
                .append(service.getName()).append(" entry, that the class is public with a public no-argument"
                        + " constructor (or a public static provider() method), and that its constructor succeeds;"
                        + " or remove the plugin jar.");
        return new PluginException(message.toString(), e);
    }

    /** {@code message; caused by Type: message; caused by ...}: the message, then each cause's type and message. */
    static String causeChain(Throwable e) {
        StringBuilder out = new StringBuilder(String.valueOf(e.getMessage()));
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.add(e);
        for (Throwable c = e.getCause(); c != null && seen.add(c); c = c.getCause()) {
            out.append("; caused by ").append(c.getClass().getName());
            if (c.getMessage() != null) {
                out.append(": ").append(c.getMessage());
            }
        }
        return out.toString();
    }

    /**
     * Runs plugin code (a provider's entries) remembering which provider it is, as discovery does; what it throws is
     * reported naming the provider, with the plugin's own message and causes.
     */
    private <T> T running(Origin origin, java.util.function.Supplier<T> code) {
        running = describeRunning(origin);
        try {
            return code.get();
        } catch (RuntimeException | LinkageError e) {
            throw new PluginException("Provider " + origin.type() + " from " + origin.describe() + " failed: "
                    + e.getClass().getName() + ": " + causeChain(e) + ". Fix the plugin or remove its jar.", e);
        } finally {
            running = null;
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
                for (TaxonomyDefinition t : running(d.origin(), d.provider()::taxonomies)) {
                    all.add(new Registration<>(t.name(), t, d.origin()));
                }
            }
            taxonomies = Registry.of("taxonomy", all, unknownNameHint());
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
                for (DatasetDefinition t : running(d.origin(), d.provider()::datasets)) {
                    all.add(new Registration<>(t.name(), t, d.origin()));
                }
            }
            datasets = Registry.of("dataset", all, unknownNameHint());
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

    /**
     * The configuration keys (in {@code SECTION.key} form) that the discovered training strategies and model providers
     * declare, for {@link org.mseg.api.config.ConfigSchema#withExtraKeys}.
     */
    public Set<String> pluginConfigKeys() {
        Set<String> keys = new LinkedHashSet<>();
        strategies().values().forEach(s -> keys.addAll(s.configKeys()));
        models().values().forEach(m -> keys.addAll(m.configKeys()));
        return keys;
    }

    private <S extends Provider> Registry<S> named(String kind, Class<S> service) {
        List<Registration<S>> all = new ArrayList<>();
        for (Discovered<S> d : providers(service)) {
            all.add(new Registration<>(running(d.origin(), d.provider()::name), d.provider(), d.origin()));
        }
        return Registry.of(kind, all, unknownNameHint());
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
                withKeys(r.value().description(), r.value().configKeys()), r.origin())));
        strategies().registrations().forEach(r -> rows.add(new ProviderInfo("strategy", r.name(),
                withKeys(r.value().description(), r.value().configKeys()), r.origin())));
        return List.copyOf(rows);
    }

    /** A description followed by the configuration keys a provider declares, if any. */
    private static String withKeys(String description, Set<String> keys) {
        return keys.isEmpty() ? description
                : description + " [keys: " + String.join(", ", new java.util.TreeSet<>(keys)) + "]";
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
