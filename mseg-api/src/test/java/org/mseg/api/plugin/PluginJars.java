package org.mseg.api.plugin;

/**
 * Sources of plugin classes for discovery tests; {@link org.mseg.api.testkit.PluginJarBuilder} compiles and packs
 * them into real jars, so discovery is tested exactly as a user's plugin jar would be found.
 */
final class PluginJars {
    private PluginJars() {
    }

    /** Source of a model provider class named {@code name} in package {@code pkg}. */
    static String modelProvider(String pkg, String cls, String name) {
        return "package " + pkg + ";\n"
                + "import java.util.List;\n"
                + "import org.mseg.api.model.*;\n"
                + "public final class " + cls + " implements ModelProvider {\n"
                + "  public String name() { return \"" + name + "\"; }\n"
                + "  public List<String> variants() { return List.of(\"only\"); }\n"
                + "  public String backend() { return \"none\"; }\n"
                + "  public long parameterCount(String v, int n) { return 1L + n; }\n"
                + "  public SegmentationModel create(ModelSpec s, Backend b) { throw new UnsupportedOperationException(); }\n"
                + "}\n";
    }
}
