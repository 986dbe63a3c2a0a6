package org.mseg.hrnet;

import org.mseg.engine.model.StateDictException;
import org.mseg.engine.model.LoadReport;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mseg.pytorch.TorchTensor;
import org.tensorflow.Graph;
import org.tensorflow.Session;

class StateDictLoaderTest {

    @Test
    void loadThenExportRoundTripsEveryTensor() {
        try (Graph g = new Graph()) {
            Hrnet model = Hrnet.create(g, HrnetSpec.tiny(), 4, 1L);
            Map<String, TorchTensor> dict = Tensors.randomStateDict(model, 2L);
            try (Session s = new Session(g)) {
                LoadReport report = StateDictLoader.load(s, model, dict).requireComplete();
                assertEquals(dict.size(), report.loaded().size());
                Map<String, TorchTensor> back = StateDictLoader.export(s, model);
                assertEquals(List.copyOf(dict.keySet()), List.copyOf(back.keySet()));
                for (String key : dict.keySet()) {
                    assertArrayEquals(dict.get(key).shape(), back.get(key).shape(), key);
                    assertArrayEquals(dict.get(key).data(), back.get(key).data(), key);
                }
            }
        }
    }

    /** The path --pretrained takes: a .pth file, read lazily; the hostile fixtures are tools/make_hostile_pth.py's. */
    @Test
    void loadingAFileReadsOnlyTheModelsKeysAndReportsNonFiniteTensors() {
        java.nio.file.Path pth = java.nio.file.Path.of("src", "test", "resources", "fixtures", "pth");
        try (Graph g = new Graph()) {
            Hrnet model = Hrnet.create(g, HrnetSpec.tiny(), 5, 1L);
            try (Session s = new Session(g)) {
                LoadReport expanded = StateDictLoader.load(s, model, pth.resolve("expanded_unused.pth"));
                assertEquals(List.of("unused.expanded"), expanded.unexpected());
                assertTrue(expanded.missing().isEmpty(), expanded.toString());
                assertTrue(expanded.nonFiniteWarning("x").isEmpty());

                LoadReport nan = StateDictLoader.load(s, model, pth.resolve("non_finite.pth"));
                assertEquals(Map.of("conv1.weight", 3, "bn1.running_var", 1), nan.nonFinite());
                String warning = nan.nonFiniteWarning("non_finite.pth").orElseThrow();
                assertTrue(warning.startsWith("non_finite.pth: 2 of the ") && warning.contains("conv1.weight (3)"),
                        warning);
            }
        }
    }

    @Test
    void convolutionWeightsAreTransposedFromOihwToHwio() {
        try (Graph g = new Graph()) {
            Hrnet model = Hrnet.create(g, HrnetSpec.tiny(), 4, 1L);
            Map<String, TorchTensor> dict = Tensors.randomStateDict(model, 2L);
            try (Session s = new Session(g)) {
                StateDictLoader.load(s, model, dict);
                float[] hwio = Tensors.fetch(s, model.variablesByTorchKey().get("conv1.weight")); // [3,3,3,16]
                float[] oihw = dict.get("conv1.weight").data(); // [16,3,3,3]
                int o = 11;
                int i = 2;
                int y = 0;
                int x = 1;
                assertEquals(oihw[((o * 3 + i) * 3 + y) * 3 + x], hwio[((y * 3 + x) * 3 + i) * 16 + o]);
            }
        }
    }

    @Test
    void reportsMissingUnexpectedAndIgnoredKeysAndStripsModulePrefix() {
        try (Graph g = new Graph()) {
            Hrnet model = Hrnet.create(g, HrnetSpec.tiny(), 4, 1L);
            Map<String, TorchTensor> dict = new LinkedHashMap<>();
            Tensors.randomStateDict(model, 2L).forEach((k, v) -> dict.put("module." + k, v));
            dict.remove("module.last_layer.3.bias");
            dict.put("module.bn1.num_batches_tracked", new TorchTensor(new long[0], new float[] {7}, "int64"));
            dict.put("module.incre_modules.0.0.conv1.weight",
                    new TorchTensor(new long[] {1}, new float[] {1}, "float32"));
            try (Session s = new Session(g)) {
                LoadReport report = StateDictLoader.load(s, model, dict);
                assertEquals(List.of("last_layer.3.bias"), report.missing());
                assertEquals(List.of("incre_modules.0.0.conv1.weight"), report.unexpected());
                assertEquals(List.of("bn1.num_batches_tracked"), report.ignored());
                assertEquals(model.parameters().size() - 1, report.loaded().size());
                StateDictException e = assertThrows(StateDictException.class, report::requireComplete);
                assertTrue(e.getMessage().contains("last_layer.3.bias"), e.getMessage());
            }
        }
    }

    @Test
    void shapeMismatchFailsNamingTheKeyAndBothShapes() {
        try (Graph g = new Graph()) {
            Hrnet model = Hrnet.create(g, HrnetSpec.tiny(), 4, 1L);
            Map<String, TorchTensor> dict = new LinkedHashMap<>(Tensors.randomStateDict(model, 2L));
            dict.put("last_layer.3.weight", new TorchTensor(new long[] {19, 120, 1, 1}, new float[19 * 120],
                    "float32"));
            try (Session s = new Session(g)) {
                StateDictException e = assertThrows(StateDictException.class,
                        () -> StateDictLoader.load(s, model, dict));
                assertTrue(e.getMessage().contains("last_layer.3.weight"), e.getMessage());
                assertTrue(e.getMessage().contains("(19, 120, 1, 1)"), e.getMessage());
                assertTrue(e.getMessage().contains("(4, 120, 1, 1)"), e.getMessage());
            }
        }
    }
}
