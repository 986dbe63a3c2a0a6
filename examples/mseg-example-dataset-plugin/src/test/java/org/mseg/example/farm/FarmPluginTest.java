package org.mseg.example.farm;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.dataset.DatasetProvider;
import org.mseg.api.plugin.Discovered;
import org.mseg.api.plugin.Origin;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.plugin.ProviderInfo;
import org.mseg.api.taxonomy.TaxonomyProvider;
import org.mseg.datasets.DataRoot;
import org.mseg.datasets.Sample;
import org.mseg.datasets.SampleReader;
import org.mseg.datasets.SplitList;
import org.mseg.taxonomy.TaxonomyConverter;
import org.mseg.api.testkit.DatasetProviderContract;

/**
 * The plugin jar, dropped into a plugin folder (module path) or put on a class loader (class path), adds the
 * {@code farm-5} dataset and taxonomy to what MSeg discovers, and MSeg can read and convert its data with no other
 * change.
 */
class FarmPluginTest {

    private static boolean isFarm(Discovered<?> d) {
        return d.origin().type().startsWith("org.mseg.example.farm.");
    }

    @Test
    void withoutTheJarThereIsNoFarmDataset() {
        PluginEnvironment env = PluginEnvironment.of(ModuleLayer.boot(), FarmPluginTest.class.getClassLoader());
        assertFalse(env.datasets().contains("farm-5"));
        assertTrue(env.datasets().contains("cityscapes-19"), "the built-in datasets are on the test class path");
    }

    @Test
    void onTheClassPathTheJarShowsUpInPluginsAndDatasetsListsAndIsUsable(@TempDir Path dir) throws Exception {
        Path jar = PluginJar.build(dir, "mseg-example-dataset-plugin.jar");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                FarmPluginTest.class.getClassLoader())) {
            PluginEnvironment env = PluginEnvironment.of(ModuleLayer.boot(), loader);
            // What 'plugins list' prints: one row per dataset and taxonomy with its origin.
            List<ProviderInfo> rows = env.describe().stream().filter(p -> p.name().equals("farm-5")).toList();
            assertEquals(List.of("dataset", "taxonomy"), rows.stream().map(ProviderInfo::kind).toList());
            for (ProviderInfo row : rows) {
                assertEquals(Origin.CLASS_PATH, row.origin().module());
                assertEquals(jar.toString(), row.origin().location());
            }
            // What 'datasets list' prints: the dataset next to the built-in ones.
            DatasetDefinition farm = env.datasets().get("farm-5");
            assertEquals("Farm", farm.folder());
            assertEquals(List.of("train", "val"), farm.splitNames());
            assertEquals(5, env.taxonomies().get(farm.taxonomy()).numClasses());
            assertTrue(env.datasets().contains("cityscapes-19"));

            Path root = dir.resolve("mseg_dataset");
            SplitList train = SplitList.read(farm, "train", Optional.empty());
            assertEquals(4, train.size());
            writeSamples(root.resolve(farm.folder()), train);
            SampleReader reader = SampleReader.of(farm, new DataRoot(root), train, env.taxonomies());
            int[] toUniversal = TaxonomyConverter.of(env).toUniversal("farm-5").table();
            // sky, grass -> terrain, road, cow, person
            assertArrayEquals(new int[] {142, 102, 98, 11, 125}, java.util.Arrays.copyOf(toUniversal, 5));
            for (int i = 0; i < reader.size(); i++) {
                try (Sample s = reader.read(i)) {
                    byte[] ids = new byte[s.height() * s.width()];
                    s.label().data().get(ids);
                    java.util.Set<Integer> universal = new HashSet<>();
                    for (byte b : ids) {
                        universal.add(toUniversal[b & 0xff]);
                    }
                    assertEquals(java.util.Set.of(142, 102, 98, 11, 125, 255), universal);
                }
            }
        }
    }

    /** Writes a small image and label (sky, grass, road bands, a cow, a person, an unlabeled patch) per list line. */
    private static void writeSamples(Path folder, SplitList list) {
        for (var entry : list.entries()) {
            Path image = folder.resolve(entry.imagePath());
            Path label = folder.resolve(entry.labelPath().orElseThrow());
            try {
                Files.createDirectories(image.getParent());
                Files.createDirectories(label.getParent());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            try (Scalar grey = new Scalar(90, 120, 150, 0); Mat img = new Mat(40, 60, CV_8UC3, grey);
                    Scalar zero = new Scalar(0, 0, 0, 0); Mat lab = new Mat(40, 60, CV_8UC1, zero)) {
                fill(lab, 0, 10, 60, 10, 1);
                fill(lab, 0, 20, 60, 20, 2);
                fill(lab, 10, 22, 12, 8, 3);
                fill(lab, 40, 15, 4, 12, 4);
                fill(lab, 55, 35, 5, 5, 255);
                assertTrue(imwrite(image.toString(), img));
                assertTrue(imwrite(label.toString(), lab));
            }
        }
    }

    private static void fill(Mat label, int x, int y, int w, int h, int id) {
        try (Rect r = new Rect(x, y, w, h); Mat roi = new Mat(label, r); Scalar v = new Scalar(id, 0, 0, 0)) {
            roi.put(v);
        }
    }

    @Test
    void thePluginMeetsTheProviderContract(@TempDir Path dir) throws Exception {
        Path jar = PluginJar.build(dir, "farm.jar");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                FarmPluginTest.class.getClassLoader())) {
            PluginEnvironment env = PluginEnvironment.of(ModuleLayer.boot(), loader);
            var universal = new HashSet<>(env.taxonomies().get("universal").classNames());
            List<Discovered<DatasetProvider>> datasets = env.providers(DatasetProvider.class).stream()
                    .filter(FarmPluginTest::isFarm).toList();
            List<Discovered<TaxonomyProvider>> taxonomies = env.providers(TaxonomyProvider.class).stream()
                    .filter(FarmPluginTest::isFarm).toList();
            assertEquals(1, datasets.size());
            assertEquals(1, taxonomies.size());
            assertEquals(List.of(), DatasetProviderContract.violations(datasets.get(0).provider(), env.taxonomies()));
            assertEquals(List.of(), DatasetProviderContract.violations(taxonomies.get(0).provider(), universal));
        }
    }

    private static String location(String className) throws ClassNotFoundException, URISyntaxException {
        return Path.of(Class.forName(className).getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
    }

    @Test
    void inAPluginFolderTheJarIsAModuleThatShowsUpAndIsUsable(@TempDir Path dir) throws Exception {
        Path plugins = dir.resolve("plugins");
        Path jar = PluginJar.build(plugins, "mseg-example-dataset-plugin.jar");
        // A fresh JVM: MSeg's API and taxonomy on the module path, the plugin only in the plugin folder.
        String modulePath = String.join(java.io.File.pathSeparator, location("org.mseg.api.Provider"),
                location("org.yaml.snakeyaml.Yaml"), location("org.mseg.taxonomy.TaxonomyConverter"));
        String probeClasses = location(ModulePathProbe.class.getName());
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "--module-path", modulePath, "--add-modules", "org.mseg.api,org.mseg.taxonomy",
                "-cp", probeClasses, ModulePathProbe.class.getName(), plugins.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), output);
        assertEquals(0, process.exitValue(), output);
        List<String> lines = output.lines().toList();
        assertTrue(lines.contains("provider|dataset|farm-5|org.mseg.example.farm|" + jar), output);
        assertTrue(lines.contains("provider|taxonomy|farm-5|org.mseg.example.farm|" + jar), output);
        assertTrue(lines.contains("dataset|farm-5|farm-5|Farm|train,val"), output);
        assertTrue(lines.contains("list|images/train/farm_0001.jpg labels/train/farm_0001.png"), output);
        assertTrue(lines.contains("universal|[142, 102, 98, 11, 125]"), output);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("provider|taxonomy|universal|org.mseg.taxonomy|")),
                output);
    }
}
