package org.mseg.api.plugin;

import java.lang.module.ModuleDescriptor;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Objects;

/**
 * Where a provider came from, for listings and for error messages about duplicates.
 *
 * @param module   the JPMS module name, or {@code "(class path)"} for a provider in the unnamed module
 * @param version  the module or jar version, or {@code "-"} when unknown
 * @param location the jar or folder the provider class was loaded from, or {@code "-"} when unknown
 * @param type     the fully qualified provider class name
 */
public record Origin(String module, String version, String location, String type) {

    /** The module name used for providers that live in an unnamed module (the class path). */
    public static final String CLASS_PATH = "(class path)";

    public Origin {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(type, "type");
    }

    /** Describes the origin of a provider class from its module, package and code source. */
    public static Origin of(Class<?> type) {
        Module module = type.getModule();
        String name = module.isNamed() ? module.getName() : CLASS_PATH;
        String version = module.isNamed()
                ? module.getDescriptor().version().map(ModuleDescriptor.Version::toString).orElse(null)
                : null;
        if (version == null && type.getPackage() != null) {
            version = type.getPackage().getImplementationVersion();
        }
        return new Origin(name, version == null ? "-" : version, locationOf(type), type.getName());
    }

    private static String locationOf(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return "-";
        }
        try {
            return Path.of(source.getLocation().toURI()).toString();
        } catch (URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return source.getLocation().toString();
        }
    }

    /** {@code module (location)}, the form used in error messages. */
    public String describe() {
        return module + " (" + location + ")";
    }
}
