package org.mseg.hrnet;

import org.mseg.engine.model.LoadReport;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.mseg.pytorch.Npy;
import org.mseg.pytorch.NpyArray;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * Inference must reproduce PyTorch: each fixture under {@code src/test/resources/fixtures/<name>/} (written by
 * {@code tools/make_hrnet_fixtures.py} from upstream's {@code seg_hrnet.py}) holds a randomly initialised HRNetV2
 * ({@code spec.json}, {@code model.pth}), an NCHW input and the NCHW logits of {@code model.eval()(input)}.
 */
class PytorchFidelityTest {

    private static final Path FIXTURES = Path.of("src", "test", "resources", "fixtures");
    private static final double MAX_ABS_ERROR = 1e-4;

    @TestFactory
    Stream<DynamicTest> inferenceMatchesPytorchLogits() throws IOException {
        List<Path> fixtures = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(FIXTURES)) {
            dirs.filter(d -> Files.isRegularFile(d.resolve("spec.json"))).sorted().forEach(fixtures::add);
        }
        assertFalse(fixtures.isEmpty(), "no HRNet fixtures under " + FIXTURES.toAbsolutePath());
        return fixtures.stream().map(d -> DynamicTest.dynamicTest(d.getFileName().toString(), () -> check(d)));
    }

    private static void check(Path dir) throws IOException {
        String json = Files.readString(dir.resolve("spec.json"));
        HrnetSpec spec = new HrnetSpec(dir.getFileName().toString(), intField(json, "stemChannels"),
                intField(json, "stage1Planes"), intField(json, "stage1Blocks"), intField(json, "width"),
                intField(json, "blocksPerBranch"), intArray(json, "modules"));
        int classes = intField(json, "numClasses");
        NpyArray input = Npy.read(dir.resolve("input.npy"));
        NpyArray expected = Npy.read(dir.resolve("logits.npy"));
        int n = (int) input.shape()[0];
        int h = (int) input.shape()[2];
        int w = (int) input.shape()[3];
        assertEquals(3, input.shape()[1]);

        try (Graph g = new Graph()) {
            Hrnet model = Hrnet.create(g, spec, classes, 0L);
            List<String> expectedKeys = Files.readAllLines(dir.resolve("expected_keys.txt")).stream()
                    .filter(k -> !k.isBlank() && !k.endsWith(".num_batches_tracked")).sorted().toList();
            assertEquals(expectedKeys, model.variablesByTorchKey().keySet().stream().sorted().toList(),
                    "state_dict keys of the upstream module tree");
            HrnetForward eval = model.forward("eval", n, h, w, BatchNormMode.INFERENCE);
            try (Session s = new Session(g)) {
                LoadReport report = StateDictLoader.load(s, model, dir.resolve("model.pth")).requireComplete();
                assertEquals(model.parameters().size(), report.loaded().size());
                float[] nhwc = nchwToNhwc(input.data(), n, 3, h, w);
                float[] logits;
                try (TFloat32 in = Tensors.tensor(Shape.of(n, h, w, 3), nhwc);
                        Result r = s.runner().feed(eval.input(), in).fetch(eval.logits()).run()) {
                    assertEquals(Shape.of(n, h, w, classes), r.get(0).shape());
                    logits = Tensors.read((TFloat32) r.get(0));
                }
                float[] want = nchwToNhwc(expected.data(), n, classes, h, w);
                double maxError = 0;
                double maxMagnitude = 0;
                for (int i = 0; i < want.length; i++) {
                    maxError = Math.max(maxError, Math.abs(want[i] - logits[i]));
                    maxMagnitude = Math.max(maxMagnitude, Math.abs(want[i]));
                }
                System.out.printf("fixture %s: max |TF - PyTorch| = %.3g (logits up to %.2f)%n", dir.getFileName(),
                        maxError, maxMagnitude);
                assertTrue(maxError <= MAX_ABS_ERROR, dir.getFileName() + ": max abs error " + maxError);
            }
        }
    }

    static float[] nchwToNhwc(float[] x, int n, int c, int h, int w) {
        float[] out = new float[x.length];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    for (int xx = 0; xx < w; xx++) {
                        out[((b * h + y) * w + xx) * c + ch] = x[((b * c + ch) * h + y) * w + xx];
                    }
                }
            }
        }
        return out;
    }

    private static int intField(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*(\\d+)").matcher(json);
        assertTrue(m.find(), "spec.json lacks " + name);
        return Integer.parseInt(m.group(1));
    }

    private static List<Integer> intArray(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\\[([^\\]]*)\\]").matcher(json);
        assertTrue(m.find(), "spec.json lacks " + name);
        return Stream.of(m.group(1).split(",")).map(String::trim).map(Integer::parseInt).toList();
    }
}
