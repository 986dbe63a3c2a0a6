package org.mseg.api;

/**
 * Common shape of every MSeg service provider: it has a name by which configuration selects it
 * ({@code arch: hrnet}, {@code --strategy mgda}) and a one-line description shown by {@code plugins list}.
 *
 * <p>Built-in providers are discovered exactly like third-party ones: through {@link java.util.ServiceLoader},
 * registered both with {@code provides ... with ...} in {@code module-info.java} and with a
 * {@code META-INF/services} file, so they are found on the module path and on the class path.
 */
public interface Provider {

    /** The name configuration uses to select this provider; lower case, no spaces. */
    String name();

    /** One line for listings; defaults to the name. */
    default String description() {
        return name();
    }
}
