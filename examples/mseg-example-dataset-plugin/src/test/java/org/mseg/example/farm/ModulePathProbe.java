package org.mseg.example.farm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.plugin.ProviderInfo;
import org.mseg.taxonomy.TaxonomyConverter;

/**
 * Run in a fresh JVM whose module path holds MSeg's API and taxonomy modules only: loads the plugin folder given as
 * the argument the way {@code mseg-cli --plugin-dir} does and prints what {@code plugins list} and {@code datasets
 * list} would show, the first line of the bundled train list and the farm-to-universal lookup table.
 */
public final class ModulePathProbe {
    private ModulePathProbe() {
    }

    /** Entry point; the argument is the plugin folder. */
    public static void main(String[] args) throws IOException {
        PluginEnvironment env = PluginEnvironment.withPluginFolders(List.of(Path.of(args[0])));
        for (ProviderInfo p : env.describe()) {
            System.out.println("provider|" + p.kind() + "|" + p.name() + "|" + p.origin().module() + "|"
                    + p.origin().location());
        }
        for (DatasetDefinition d : env.datasets().values()) {
            System.out.println("dataset|" + d.name() + "|" + d.taxonomy() + "|" + d.folder() + "|"
                    + String.join(",", d.splitNames()));
        }
        DatasetDefinition farm = env.datasets().get("farm-5");
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                farm.split("train").orElseThrow().bundledList().orElseThrow().openStream(), StandardCharsets.UTF_8))) {
            System.out.println("list|" + r.readLine());
        }
        int[] table = TaxonomyConverter.of(env).toUniversal("farm-5").table();
        System.out.println("universal|" + Arrays.toString(Arrays.copyOf(table, 5)));
    }
}
