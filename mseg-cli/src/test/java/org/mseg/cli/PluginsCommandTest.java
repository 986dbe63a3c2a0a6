package org.mseg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code plugins list} with real plugin jars, in-process and in a fresh JVM. */
class PluginsCommandTest {

    /** A modular jar whose model provider runs {@code body} in its constructor or static initialiser. */
    static Path modelPluginJar(Path work, String name, String module, String staticInit, String constructorBody) {
        String pkg = module;
        String source = "package " + pkg + ";\n"
                + "import java.util.List;\n"
                + "import org.mseg.api.model.*;\n"
                + "public final class Evil implements ModelProvider {\n"
                + "  static { " + staticInit + " }\n"
                + "  public Evil() { " + constructorBody + " }\n"
                + "  public String name() { return \"evil-net\"; }\n"
                + "  public List<String> variants() { return List.of(\"only\"); }\n"
                + "  public String backend() { return \"none\"; }\n"
                + "  public long parameterCount(String v, int n) { return 1L; }\n"
                + "  public SegmentationModel create(ModelSpec s, Backend b) { throw new UnsupportedOperationException(); }\n"
                + "}\n";
        return TestPlugins.jar(work, name, Map.of(
                "module-info.java", "module " + module + " { requires org.mseg.api;"
                        + " provides org.mseg.api.model.ModelProvider with " + pkg + ".Evil; }",
                pkg.replace('.', '/') + "/Evil.java", source), Map.of());
    }

    private static Path pluginFolder(Path work, Path jar) throws Exception {
        Path plugins = Files.createDirectories(work.resolve("plugins"));
        return Files.copy(jar, plugins.resolve(jar.getFileName())).getParent();
    }

    @Test
    void aPluginCallingSystemExitInItsConstructorFailsTheCommandNamingTheJar(@TempDir Path work) throws Exception {
        Path plugins = pluginFolder(work, modelPluginJar(work, "exit-in-constructor", "com.example.exiter", "",
                "System.exit(0);"));
        TestPlugins.Exit r = TestPlugins.cli(Map.of(), 120, "plugins", "list", "--plugin-dir", plugins.toString());
        assertNotEquals(0, r.code(), r.output());
        assertEquals(MsegCommand.FAILURE, r.code(), r.output());
        assertTrue(r.output().contains(plugins.resolve("exit-in-constructor.jar").toString()), r.output());
        assertTrue(r.output().contains("com.example.exiter.Evil"), r.output());
        assertTrue(r.output().contains("System.exit"), r.output());
    }

    @Test
    void aPluginCallingSystemExitInItsStaticInitialiserFailsTheCommandNamingTheJar(@TempDir Path work)
            throws Exception {
        Path plugins = pluginFolder(work, modelPluginJar(work, "exit-in-static-init", "com.example.staticexit",
                "if (Boolean.parseBoolean(\"true\")) { System.exit(0); }", ""));
        TestPlugins.Exit r = TestPlugins.cli(Map.of(), 120, "plugins", "list", "--plugin-dir", plugins.toString());
        assertEquals(MsegCommand.FAILURE, r.code(), r.output());
        assertTrue(r.output().contains(plugins.resolve("exit-in-static-init.jar").toString()), r.output());
    }

    @Test
    void aWellBehavedCommandStillExitsZeroUnderTheGuard(@TempDir Path work) throws Exception {
        TestPlugins.Exit r = TestPlugins.cli(Map.of(), 120, "taxonomy", "list");
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("universal"), r.output());
        assertTrue(!r.output().contains("System.exit"), r.output());
    }

    @Test
    void aThrowingConstructorsOwnMessageAndCauseAreReported(@TempDir Path work) throws Exception {
        Path plugins = pluginFolder(work, modelPluginJar(work, "throwing", "com.example.thrower", "",
                "throw new IllegalStateException(\"licence file farm.lic not found\","
                        + " new java.io.FileNotFoundException(\"/opt/farm.lic\"));"));
        CliTest.Run r = CliTest.run("plugins", "list", "--plugin-dir", plugins.toString());
        assertEquals(MsegCommand.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("licence file farm.lic not found"), r.err());
        assertTrue(r.err().contains("java.io.FileNotFoundException: /opt/farm.lic"), r.err());
        assertTrue(r.err().contains("com.example.thrower.Evil"), r.err());
    }

    @Test
    void aMissingPluginFolderWarnsAndNamesIt(@TempDir Path work) {
        Path missing = work.resolve("no-such-folder");
        CliTest.Run r = CliTest.run("plugins", "list", "--plugin-dir", missing.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("warning: plugin folder " + missing + " does not exist"), r.err());
    }

    @Test
    void pluginFoldersComeFromTheOptionTheVariableAndTheConfigKeyElseTheDefault() {
        Path a = Path.of("/a");
        Path b = Path.of("/b");
        Path c = Path.of("/c");
        List<Path> defaults = List.of(Path.of("/home/plugins"));
        assertEquals(defaults, PluginOptions.folders(List.of(), Map.of(), Optional.empty(), defaults));
        assertEquals(List.of(a, b, c), PluginOptions.folders(List.of(a),
                Map.of("MSEG_PLUGIN_PATH", TestPlugins.pathOf(b, a)), Optional.of(c.toString()), defaults));
        assertEquals(List.of(b, c), PluginOptions.folders(List.of(),
                Map.of("MSEG_PLUGIN_PATH", TestPlugins.pathOf(b, c) + java.io.File.pathSeparator), Optional.empty(),
                defaults));
    }

    @Test
    void anUnknownNameHintsAtPluginFoldersWhenNoPluginIsLoaded() {
        CliTest.Run r = CliTest.run("taxonomy", "show", "farm-5");
        assertEquals(MsegCommand.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--plugin-dir"), r.err());
        assertTrue(r.err().contains("MSEG_PLUGIN_PATH"), r.err());
    }
}
