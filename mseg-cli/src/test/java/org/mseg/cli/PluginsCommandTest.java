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

    /** A dataset plugin whose taxonomy is named differently from its dataset: {@code orchard-3} / {@code orchard-fruit}. */
    static Path orchardPluginJar(Path work) {
        String dataset = "package org.example.orchard;\n"
                + "import java.util.*;\n"
                + "import org.mseg.api.dataset.*;\n"
                + "public final class OrchardDatasets implements DatasetProvider {\n"
                + "  public String name() { return \"orchard\"; }\n"
                + "  public String description() { return \"orchard datasets\"; }\n"
                + "  public List<DatasetDefinition> datasets() {\n"
                + "    return List.of(new DatasetDefinition(\"orchard-3\", \"orchard-fruit\", \"Orchard\",\n"
                + "        List.of(new SplitDefinition(\"train\", true, Optional.empty()),\n"
                + "            new SplitDefinition(\"val\", true, Optional.empty())), LabelEncoding.GRAY8,\n"
                + "        \"Orchard rows, 3 classes\"));\n"
                + "  }\n"
                + "}\n";
        String taxonomy = "package org.example.orchard;\n"
                + "import java.util.*;\n"
                + "import org.mseg.api.taxonomy.*;\n"
                + "public final class OrchardTaxonomy implements TaxonomyProvider {\n"
                + "  public String name() { return \"orchard\"; }\n"
                + "  public String description() { return \"orchard taxonomy\"; }\n"
                + "  public List<TaxonomyDefinition> taxonomies() {\n"
                + "    Map<String, String> u = new LinkedHashMap<>();\n"
                + "    u.put(\"sky\", \"sky\"); u.put(\"grass\", \"terrain\"); u.put(\"person\", \"person\");\n"
                + "    return List.of(new TaxonomyDefinition(\"orchard-fruit\", TaxonomyKind.TRAINING,\n"
                + "        List.copyOf(u.keySet()), u, Map.of(), \"Orchard rows, 3 classes\"));\n"
                + "  }\n"
                + "}\n";
        return TestPlugins.jar(work, "orchard-plugin", Map.of(
                "module-info.java", "module org.example.orchard { requires org.mseg.api;"
                        + " provides org.mseg.api.dataset.DatasetProvider with org.example.orchard.OrchardDatasets;"
                        + " provides org.mseg.api.taxonomy.TaxonomyProvider with org.example.orchard.OrchardTaxonomy; }",
                "org/example/orchard/OrchardDatasets.java", dataset,
                "org/example/orchard/OrchardTaxonomy.java", taxonomy), Map.of());
    }

    @Test
    void aDatasetPluginIsFoundThroughMsegPluginPathAndThroughPluginDir(@TempDir Path work) throws Exception {
        Path jar = orchardPluginJar(work);
        Path a = Files.createDirectories(work.resolve("a"));
        Path b = Files.createDirectories(work.resolve("b"));
        Files.copy(jar, b.resolve("orchard.jar"));
        String row = "orchard-3\\s+org\\.example\\.orchard\\s+-\\s+" + java.util.regex.Pattern.quote(
                b.resolve("orchard.jar").toString());

        TestPlugins.Exit viaVariable = TestPlugins.cli(Map.of("MSEG_PLUGIN_PATH", TestPlugins.pathOf(a, b)), 120,
                "plugins", "list");
        assertEquals(0, viaVariable.code(), viaVariable.output());
        assertTrue(viaVariable.output().lines().anyMatch(l -> l.matches("dataset\\s+" + row + ".*")),
                viaVariable.output());
        assertTrue(viaVariable.output().lines().anyMatch(l -> l.matches("taxonomy\\s+orchard-fruit\\s+.*")),
                viaVariable.output());

        TestPlugins.Exit viaOption = TestPlugins.cli(Map.of(), 120, "taxonomy", "show", "orchard-fruit",
                "--plugin-dir", b.toString());
        assertEquals(0, viaOption.code(), viaOption.output());
        assertTrue(viaOption.output().contains("terrain"), viaOption.output());

        TestPlugins.Exit without = TestPlugins.cli(Map.of(), 120, "taxonomy", "show", "orchard-fruit");
        assertEquals(MsegCommand.USAGE, without.code(), without.output());
        assertTrue(without.output().contains("MSEG_PLUGIN_PATH"), without.output());
    }

    @Test
    void aPluginWhoseTaxonomyHasItsOwnNameTrainsFromAConfigWritesMetricsAndEvaluates(@TempDir Path work)
            throws Exception {
        Path plugins = Files.createDirectories(work.resolve("plugins"));
        Files.copy(orchardPluginJar(work), plugins.resolve("orchard.jar"));
        Path folder = Files.createDirectories(work.resolve("data/Orchard"));
        Path lists = Files.createDirectories(work.resolve("lists/orchard-3/list"));
        StringBuilder train = new StringBuilder();
        StringBuilder val = new StringBuilder();
        for (int i = 0; i < 6; i++) { // sky above grass (orchard-fruit ids 0 and 1), a person (2) moving along
            try (org.bytedeco.opencv.opencv_core.Mat image = new org.bytedeco.opencv.opencv_core.Mat(48, 64,
                    org.bytedeco.opencv.global.opencv_core.CV_8UC3, new org.bytedeco.opencv.opencv_core.Scalar(40,
                            160, 40, 0));
                    org.bytedeco.opencv.opencv_core.Mat label = new org.bytedeco.opencv.opencv_core.Mat(48, 64,
                            org.bytedeco.opencv.global.opencv_core.CV_8UC1,
                            new org.bytedeco.opencv.opencv_core.Scalar(1))) {
                fill(image, label, 0, 0, 64, 20, new double[] {230, 180, 120}, 0);
                fill(image, label, 8 * i, 24, 12, 20, new double[] {60, 60, 200}, 2);
                assertTrue(org.bytedeco.opencv.global.opencv_imgcodecs.imwrite(
                        folder.resolve("img_" + i + ".jpg").toString(), image));
                assertTrue(org.bytedeco.opencv.global.opencv_imgcodecs.imwrite(
                        folder.resolve("lab_" + i + ".png").toString(), label));
            }
            (i < 4 ? train : val).append("img_").append(i).append(".jpg lab_").append(i).append(".png\n");
        }
        Files.writeString(lists.resolve("train.txt"), train);
        Files.writeString(lists.resolve("val.txt"), val);
        Path config = work.resolve("orchard.yaml"); // as 'config print demo' suggests: DATA.dataset names the plugin's
        Files.writeString(config, String.join("\n", "DATA:", "  dataset: [orchard-3]", "  universal: True",
                "TRAIN:", "  arch: hrnet", "  variant: tiny", "  train_h: 33", "  train_w: 33", "  short_size: 48",
                "  num_examples: 8", "  train_gpu: [0]", "  batch_size: 2", "  base_lr: 0.01", "  save_freq: 1",
                "  tensorboard: False", ""));
        Path run = work.resolve("run");
        CliTest.Run trained = CliTest.run("train", "--plugin-dir", plugins.toString(), "--config", config.toString(),
                "--data-root", work.resolve("data").toString(), "--lists", work.resolve("lists").toString(),
                "--max-iters", "2", "--out", run.toString());
        assertEquals(0, trained.code(), trained.out() + trained.err());
        String metrics = Files.readString(run.resolve("metrics.json"));
        assertTrue(metrics.contains("\"orchard-3\""), "validated in orchard-fruit's classes: " + metrics);

        CliTest.Run evaluated = CliTest.run("evaluate", "--checkpoint", run.toString(), "--dataset", "orchard-3",
                "--plugin-dir", plugins.toString(), "--data-root", work.resolve("data").toString(), "--lists",
                work.resolve("lists").toString(), "--base-size", "native", "--crop", "33", "--out",
                work.resolve("eval").toString());
        assertEquals(0, evaluated.code(), evaluated.out() + evaluated.err());
        assertTrue(evaluated.out().contains("orchard-3"), evaluated.out());
    }

    /** Paints a rectangle of {@code image} in a BGR colour and the same rectangle of {@code label} with a class id. */
    private static void fill(org.bytedeco.opencv.opencv_core.Mat image, org.bytedeco.opencv.opencv_core.Mat label,
            int x, int y, int w, int h, double[] bgr, int id) {
        org.bytedeco.opencv.opencv_core.Rect r = new org.bytedeco.opencv.opencv_core.Rect(x, y, w, h);
        try (org.bytedeco.opencv.opencv_core.Mat a = image.apply(r); org.bytedeco.opencv.opencv_core.Mat b =
                label.apply(r)) {
            a.put(new org.bytedeco.opencv.opencv_core.Scalar(bgr[0], bgr[1], bgr[2], 0));
            b.put(new org.bytedeco.opencv.opencv_core.Scalar(id));
        } finally {
            r.close();
        }
    }

    @Test
    void demoModeLeavesAPluginsDatasetToItsOwnDataRootAndLists(@TempDir Path work) throws Exception {
        Path plugins = Files.createDirectories(work.resolve("plugins"));
        Files.copy(orchardPluginJar(work), plugins.resolve("orchard.jar"));
        Path root = Files.createDirectories(work.resolve("data"));
        Path lists = Files.createDirectories(work.resolve("lists/orchard-3/list"));
        Files.writeString(lists.resolve("train.txt"), "Orchard/a.jpg Orchard/a.png\n");
        CliTest.withHome(work, () -> {
            CliTest.Run r = CliTest.run("train", "--plugin-dir", plugins.toString(), "--set", "dataset=orchard-3",
                    "--data-root", root.toString(), "--lists", work.resolve("lists").toString(), "--max-iters", "1",
                    "--no-validate", "--out", work.resolve("run").toString());
            assertNotEquals(0, r.code(), r.out() + r.err());
            assertTrue(!r.out().contains("demo: synthetic datasets"), r.out());
            assertTrue(!Files.exists(work.resolve(".cache")), "no synthetic data generated for a plugin's dataset");
        });
    }

    @Test
    void theDemoConfigurationIsBundledAsDemo() {
        CliTest.Run r = CliTest.run("config", "print", "demo");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("# bundled:demo.yaml"), r.out());
        assertTrue(r.out().contains("variant: tiny"), r.out());
    }

    @Test
    void anUnknownDatasetInAConfigurationHintsAtPluginFolders(@TempDir Path work) throws Exception {
        Path yaml = Files.writeString(work.resolve("farm.yaml"), "DATA:\n  dataset: [farm-5]\n");
        CliTest.Run r = CliTest.run("config", "validate", yaml.toString());
        assertEquals(MsegCommand.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("unknown dataset 'farm-5'"), r.err());
        assertTrue(r.err().contains("--plugin-dir") && r.err().contains("MSEG_PLUGIN_PATH"), r.err());

        CliTest.Run demo = CliTest.run("train", "--set", "dataset=farm-5");
        assertEquals(MsegCommand.USAGE, demo.code(), demo.err());
        assertTrue(demo.err().contains("MSEG_PLUGIN_PATH"), demo.err());
    }

    @Test
    void aProviderWhoseEntriesThrowIsNamedWithItsMessage(@TempDir Path work) throws Exception {
        String source = "package com.example.broken;\n"
                + "import java.util.List;\n"
                + "import org.mseg.api.taxonomy.*;\n"
                + "public final class Broken implements TaxonomyProvider {\n"
                + "  public String name() { return \"broken\"; }\n"
                + "  public String description() { return \"broken\"; }\n"
                + "  public List<TaxonomyDefinition> taxonomies() {\n"
                + "    throw new IllegalStateException(\"class list broken.txt is empty\");\n"
                + "  }\n"
                + "}\n";
        Path jar = TestPlugins.jar(work, "broken", Map.of("module-info.java", "module com.example.broken {"
                + " requires org.mseg.api; provides org.mseg.api.taxonomy.TaxonomyProvider with"
                + " com.example.broken.Broken; }", "com/example/broken/Broken.java", source), Map.of());
        Path plugins = pluginFolder(work, jar);
        CliTest.Run r = CliTest.run("plugins", "list", "--plugin-dir", plugins.toString());
        assertEquals(MsegCommand.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("class list broken.txt is empty"), r.err());
        assertTrue(r.err().contains("com.example.broken.Broken") && r.err().contains(plugins.resolve("broken.jar")
                .toString()), r.err());
    }

    @Test
    void theConfigKeyPluginDirsLoadsPluginsRelativeToTheConfigFile(@TempDir Path work) throws Exception {
        Path plugins = Files.createDirectories(work.resolve("conf/plugins"));
        Files.copy(orchardPluginJar(work), plugins.resolve("orchard.jar"));
        Path yaml = Files.writeString(work.resolve("conf/orchard.yaml"), "DATA:\n  dataset: [orchard-3]\n"
                + "  plugin_dirs: plugins\nTRAIN:\n  num_examples: 10\n  batch_size: 2\n");
        CliTest.Run r = CliTest.run("config", "validate", yaml.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        CliTest.Run set = CliTest.run("taxonomy", "show", "orchard-fruit");
        assertEquals(MsegCommand.USAGE, set.code(), "not loaded without the key");
    }
}
