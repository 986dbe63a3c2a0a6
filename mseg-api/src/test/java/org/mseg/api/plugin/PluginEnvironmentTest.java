package org.mseg.api.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.PluginException;
import org.mseg.api.model.ModelProvider;
import org.mseg.api.testkit.PluginJarBuilder;

/** Discovery of providers from real jars: class path only, module-info only, plugin folders, duplicates. */
class PluginEnvironmentTest {

    private static Path classPathOnlyJar(Path work, String jarName, String pkg, String name) {
        return PluginJarBuilder.build(work, jarName,
                Map.of(pkg.replace('.', '/') + "/CpModel.java", PluginJars.modelProvider(pkg, "CpModel", name)),
                Map.of("META-INF/services/org.mseg.api.model.ModelProvider", pkg + ".CpModel\n"), false);
    }

    private static Path moduleInfoOnlyJar(Path work, String jarName, String module, String name) {
        String pkg = module;
        return PluginJarBuilder.build(work, jarName, Map.of(
                "module-info.java", "module " + module + " { requires org.mseg.api;"
                        + " provides org.mseg.api.model.ModelProvider with " + pkg + ".ModModel; }",
                pkg.replace('.', '/') + "/ModModel.java", PluginJars.modelProvider(pkg, "ModModel", name)),
                Map.of(), true);
    }

    @Test
    void aProviderRegisteredOnlyInMetaInfServicesIsFoundOnTheClassPath(@TempDir Path work) throws Exception {
        Path jar = classPathOnlyJar(work, "cp-plugin", "com.example.cp", "cp-net");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                PluginEnvironmentTest.class.getClassLoader())) {
            PluginEnvironment env = PluginEnvironment.of(ModuleLayer.boot(), loader);
            Registry<ModelProvider> models = env.models();
            assertTrue(models.contains("cp-net"), models.toString());
            Origin origin = models.registration("cp-net").origin();
            assertEquals(Origin.CLASS_PATH, origin.module());
            assertEquals(jar.toString(), origin.location());
            assertEquals(6L, models.get("cp-net").parameterCount("only", 5));
        }
    }

    @Test
    void aProviderDeclaredOnlyInModuleInfoIsFoundInAModuleLayer(@TempDir Path work) throws Exception {
        Path jar = moduleInfoOnlyJar(work, "mod-plugin", "com.example.mod", "mod-net");
        Path plugins = Files.createDirectories(work.resolve("plugins"));
        Files.copy(jar, plugins.resolve("mod-plugin.jar"));
        PluginEnvironment env = PluginEnvironment.withPluginFolders(List.of(plugins));
        Origin origin = env.models().registration("mod-net").origin();
        assertEquals("com.example.mod", origin.module());
        assertEquals(plugins.resolve("mod-plugin.jar").toString(), origin.location());
        assertTrue(env.describe().stream().anyMatch(p -> p.kind().equals("model") && p.name().equals("mod-net")));
    }

    @Test
    void aPlainJarInAPluginFolderBecomesAnAutomaticModuleWithItsServices(@TempDir Path work) throws Exception {
        Path jar = classPathOnlyJar(work, "plain", "com.example.plain", "plain-net");
        Path plugins = Files.createDirectories(work.resolve("plugins"));
        Files.copy(jar, plugins.resolve("plain-plugin.jar"));
        PluginEnvironment env = PluginEnvironment.withPluginFolders(List.of(plugins, work.resolve("missing")));
        assertEquals("plain.plugin", env.models().registration("plain-net").origin().module());
    }

    @Test
    void aDuplicateNameFailsNamingBothModules(@TempDir Path work) throws Exception {
        Path a = moduleInfoOnlyJar(work, "dup-a", "com.example.dupa", "dup-net");
        Path b = moduleInfoOnlyJar(work, "dup-b", "com.example.dupb", "dup-net");
        Path plugins = Files.createDirectories(work.resolve("plugins"));
        Files.copy(a, plugins.resolve("dup-a.jar"));
        Files.copy(b, plugins.resolve("dup-b.jar"));
        PluginEnvironment env = PluginEnvironment.withPluginFolders(List.of(plugins));
        PluginException e = assertThrows(PluginException.class, env::models);
        assertTrue(e.getMessage().contains("Duplicate model 'dup-net'"), e.getMessage());
        assertTrue(e.getMessage().contains("com.example.dupa") && e.getMessage().contains("com.example.dupb"),
                e.getMessage());
    }

    @Test
    void aBrokenPluginJarFailsNamingTheFolder(@TempDir Path work) throws Exception {
        Path plugins = Files.createDirectories(work.resolve("plugins"));
        Files.writeString(plugins.resolve("broken.jar"), "not a zip");
        PluginException e = assertThrows(PluginException.class,
                () -> PluginEnvironment.withPluginFolders(List.of(plugins)));
        assertTrue(e.getMessage().contains(plugins.toString()), e.getMessage());
    }

    @Test
    void noProvidersGivesEmptyRegistriesThatSayWhatIsMissing() {
        PluginEnvironment env = PluginEnvironment.of(ModuleLayer.empty(), null);
        assertEquals(0, env.models().size());
        PluginException e = assertThrows(PluginException.class, () -> env.strategies().get("mgda"));
        assertTrue(e.getMessage().contains("no provider of this kind was found"), e.getMessage());
    }
}
