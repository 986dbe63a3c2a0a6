package org.mseg.api.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Checks that a provider is registered both ways a plugin must register it: {@code provides ... with ...} in its
 * module descriptor (module path) and a {@code META-INF/services/<service>} entry (class path). Call it from a
 * plugin's own tests; it throws {@link AssertionError}, so it works with any test framework.
 */
public final class ProviderRegistration {
    private ProviderRegistration() {
    }

    /**
     * @param service  the SPI, e.g. {@code TrainingStrategyProvider.class}
     * @param provider the implementation that must be registered for it
     * @throws AssertionError naming the missing or different registration
     */
    public static <S> void check(Class<S> service, Class<? extends S> provider) {
        Module module = provider.getModule();
        ModuleDescriptor descriptor = module.getDescriptor();
        if (descriptor == null) {
            throw new AssertionError(provider.getName() + " is not in a named module, so its module-info cannot be"
                    + " checked; run the test on the module path");
        }
        boolean provided = descriptor.provides().stream().anyMatch(p -> p.service().equals(service.getName())
                && p.providers().contains(provider.getName()));
        if (!provided) {
            throw new AssertionError("module " + descriptor.name() + " lacks 'provides " + service.getName()
                    + " with " + provider.getName() + "' (it provides " + descriptor.provides() + ")");
        }
        String resource = "META-INF/services/" + service.getName();
        try (InputStream in = module.getResourceAsStream(resource)) {
            if (in == null) {
                throw new AssertionError(resource + " is missing from module " + descriptor.name());
            }
            List<String> lines = Arrays.stream(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"))
                    .map(l -> l.replaceAll("#.*", "").strip()).filter(l -> !l.isEmpty()).toList();
            if (!lines.contains(provider.getName())) {
                throw new AssertionError(resource + " of module " + descriptor.name() + " lists " + lines + ", not "
                        + provider.getName());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
