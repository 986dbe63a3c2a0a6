package org.mseg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.ConfigException;
import org.mseg.api.PluginException;
import org.mseg.engine.checkpoint.CheckpointMetadata;
import org.mseg.engine.checkpoint.Checkpoints;
import org.mseg.api.json.Json;
import org.mseg.pytorch.Npy;
import org.mseg.pytorch.NpyArray;
import org.mseg.taxonomy.TaxonomyConverter;
import picocli.CommandLine;

/**
 * {@code mseg-cli model import|logits|bench}: PyTorch weights in, MSeg checkpoint out, logits equal to PyTorch's.
 * The PyTorch fixtures are mseg-hrnet-tf's ({@code src/test/resources/fixtures}, see its README).
 */
class ModelCommandTest {

    private static final Path FIXTURES = Path.of("..", "mseg-hrnet-tf", "src", "test", "resources", "fixtures");
    private static final Path TINY = FIXTURES.resolve("tiny-33x33");
    private static final double MAX_ABS_ERROR = 1e-4;

    record Run(int code, String out, String err) {
    }

    static Run run(Object... args) {
        CommandLine cl = MsegCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(Stream.of(args).map(String::valueOf).toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    /** The report row of one kind of key: its count. */
    private static int count(Run r, String kind) {
        return r.out().lines().filter(l -> l.startsWith(kind + " ")).findFirst()
                .map(l -> Integer.parseInt(l.substring(kind.length()).trim().split("\\s+")[0]))
                .orElseThrow(() -> new AssertionError("no '" + kind + "' row in\n" + r.out()));
    }

    @TestFactory
    Stream<DynamicTest> importThenLogitsReproducesEachPytorchFixture(@TempDir Path tmp) throws IOException {
        List<Path> fixtures = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(FIXTURES)) {
            dirs.filter(d -> Files.isRegularFile(d.resolve("spec.json"))).sorted().forEach(fixtures::add);
        }
        assertEquals(3, fixtures.size(), "fixtures under " + FIXTURES.toAbsolutePath());
        return fixtures.stream().map(d -> DynamicTest.dynamicTest(d.getFileName().toString(), () -> {
            Path ckpt = tmp.resolve(d.getFileName() + "-ckpt");
            Run imported = run("model", "import", "--from", d.resolve("model.pth"), "--arch", "hrnet",
                    "--spec", d.resolve("spec.json"), "--out", ckpt);
            assertEquals(0, imported.code(), imported.out() + imported.err());
            List<String> keys = Files.readAllLines(d.resolve("expected_keys.txt")).stream()
                    .filter(k -> !k.isBlank()).toList();
            long counters = keys.stream().filter(k -> k.endsWith(".num_batches_tracked")).count();
            assertEquals(keys.size() - counters, count(imported, "loaded"), imported.out());
            assertEquals(0, count(imported, "missing"));
            assertEquals(0, count(imported, "unexpected"));
            assertEquals(0, count(imported, "skipped"));
            assertEquals(counters, count(imported, "ignored"));

            CheckpointMetadata meta = Checkpoints.read(ckpt);
            Map<?, ?> spec = (Map<?, ?>) Json.parse(Files.readString(d.resolve("spec.json")), "spec.json");
            assertEquals(((Long) spec.get("numClasses")).intValue(), meta.numClasses());
            assertEquals(((Long) spec.get("width")).intValue(),
                    ((Number) meta.modelParameters().get("baseWidth")).intValue());
            assertEquals("unspecified", meta.taxonomy());
            assertEquals("class_0", meta.classNames().get(0));
            assertTrue(meta.weightsOnly());

            Path logits = tmp.resolve(d.getFileName() + "-logits.npy");
            Run inferred = run("model", "logits", "--checkpoint", ckpt, "--input", d.resolve("input.npy"),
                    "--out", logits);
            assertEquals(0, inferred.code(), inferred.out() + inferred.err());
            NpyArray expected = Npy.read(d.resolve("logits.npy"));
            NpyArray actual = Npy.read(logits);
            assertEquals(List.of(expected.shape()[0], expected.shape()[1], expected.shape()[2], expected.shape()[3]),
                    List.of(actual.shape()[0], actual.shape()[1], actual.shape()[2], actual.shape()[3]));
            double maxError = 0;
            for (int i = 0; i < expected.numel(); i++) {
                maxError = Math.max(maxError, Math.abs(expected.data()[i] - actual.data()[i]));
            }
            System.out.printf("fixture %s: max |CLI - PyTorch| = %.3g%n", d.getFileName(), maxError);
            assertTrue(maxError <= MAX_ABS_ERROR, d.getFileName() + ": max |CLI - PyTorch| = " + maxError);
        }));
    }

    @Test
    void importReadsOnlyTheModelsKeysSoAHugeUnusedTensorCostsNothing(@TempDir Path tmp) {
        // the tiny model plus torch.zeros(1).expand(40000, 40000): 1 MB on disk, 6.4 GB if materialised
        Path out = tmp.resolve("ok");
        Run r = run("model", "import", "--from", FIXTURES.resolve("pth").resolve("expanded_unused.pth"), "--variant",
                "tiny", "--num-classes", 5, "--allow-partial", "--out", out);
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals(1, count(r, "unexpected"), r.out());
        assertTrue(r.out().contains("unused.expanded"), r.out());
        assertEquals(0, count(r, "missing"), r.out());
        assertTrue(Files.isRegularFile(out.resolve(Checkpoints.METADATA_FILE)));
    }

    @Test
    void importWarnsNamingTheTensorsThatHoldNanOrInfinity(@TempDir Path tmp) {
        Run r = run("model", "import", "--from", FIXTURES.resolve("pth").resolve("non_finite.pth"), "--variant",
                "tiny", "--num-classes", 5, "--out", tmp.resolve("nan"));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("warning: "), r.err());
        assertTrue(r.err().contains("conv1.weight (3)") && r.err().contains("bn1.running_var (1)"), r.err());
        assertTrue(r.err().contains("2 of the"), r.err());

        Run clean = run("model", "import", "--from", TINY.resolve("model.pth"), "--variant", "tiny",
                "--num-classes", 5, "--out", tmp.resolve("clean"));
        assertEquals(0, clean.code(), clean.err());
        assertTrue(!clean.err().contains("non-finite"), clean.err());
    }

    @Test
    void namedVariantImportsAndAShapeMismatchIsRefusedNamingTheKey(@TempDir Path tmp) {
        Path ok = tmp.resolve("ok");
        Run r = run("model", "import", "--from", TINY.resolve("model.pth"), "--variant", "tiny", "--num-classes", 5,
                "--out", ok);
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("under 'state_dict'"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("loaded\\s+\\d+\\s+conv1\\.weight, .*")), r.out());
        assertEquals("tiny", Checkpoints.read(ok).variant());

        Path bad = tmp.resolve("bad");
        Run mismatch = run("model", "import", "--from", TINY.resolve("model.pth"), "--variant", "tiny",
                "--num-classes", 6, "--out", bad);
        assertEquals(2, mismatch.code(), mismatch.out());
        assertTrue(mismatch.err().contains("last_layer.3.weight") && mismatch.err().contains("(5, 120, 1, 1)"),
                mismatch.err());
        assertFalse(Files.exists(bad));

        Run wrongTaxonomy = run("model", "import", "--from", TINY.resolve("model.pth"), "--variant", "tiny",
                "--num-classes", 5, "--taxonomy", "cityscapes-19", "--out", bad);
        assertEquals(2, wrongTaxonomy.code());
        assertTrue(wrongTaxonomy.err().contains("cityscapes-19 has 19 classes but --num-classes is 5"),
                wrongTaxonomy.err());
    }

    @Test
    void missingKeysAreReportedAndNeedAllowPartial(@TempDir Path tmp) throws IOException {
        // The fixture has one BasicBlock per branch; a spec with two makes the second block's keys missing.
        Path spec = tmp.resolve("spec.json");
        Files.writeString(spec, "{\"name\": \"tiny2\", \"stemChannels\": 16, \"stage1Planes\": 16, "
                + "\"stage1Blocks\": 1, \"width\": 8, \"blocksPerBranch\": 2, \"modules\": [1, 1, 1]}");
        Path out = tmp.resolve("partial");
        Run refused = run("model", "import", "--from", TINY.resolve("model.pth"), "--spec", spec, "--num-classes", 5,
                "--out", out);
        assertEquals(2, refused.code());
        int missing = count(refused, "missing");
        assertTrue(missing > 0 && refused.out().lines().anyMatch(l -> l.startsWith("missing") && l.contains(
                "stage2.0.branches.0.1.conv1.weight")), refused.out());
        assertTrue(refused.err().contains(missing + " missing and 0 unexpected keys"), refused.err());
        assertFalse(Files.exists(out));

        Run allowed = run("model", "import", "--from", TINY.resolve("model.pth"), "--spec", spec, "--num-classes", 5,
                "--allow-partial", "--out", out);
        assertEquals(0, allowed.code(), allowed.err());
        assertEquals(missing, count(allowed, "missing"));
        assertEquals("tiny2", Checkpoints.read(out).variant());
    }

    @Test
    void classNamesComeFromTheTaxonomyRegistry() {
        TaxonomyConverter converter = TaxonomyConverter.of(new PluginOptions().environment());
        ModelCommand.Classes universal = ModelCommand.classes(converter, null, 194);
        assertEquals("universal", universal.taxonomy());
        assertEquals(converter.universal().classNames(), universal.names());
        ModelCommand.Classes city = ModelCommand.classes(converter, "cityscapes-19", 19);
        assertEquals(converter.taxonomy("cityscapes-19").classNames(), city.names());
        ModelCommand.Classes unknown = ModelCommand.classes(converter, null, 7);
        assertEquals("unspecified", unknown.taxonomy());
        assertEquals(List.of("class_0", "class_1", "class_2", "class_3", "class_4", "class_5", "class_6"),
                unknown.names());
        assertThrows(ConfigException.class, () -> ModelCommand.classes(converter, "cityscapes-19", 20));
        assertThrows(PluginException.class, () -> ModelCommand.classes(converter, "cityscape-19", 19));
    }

    @Test
    void importUsageErrorsExitTwo(@TempDir Path tmp) throws IOException {
        Path pth = TINY.resolve("model.pth");
        Path out = tmp.resolve("c");
        assertEquals(2, run("model", "import", "--from", pth, "--num-classes", 5, "--out", out).code(),
                "no variant");
        assertEquals(2, run("model", "import", "--from", pth, "--variant", "tiny", "--width", 48, "--num-classes", 5,
                "--out", out).code());
        assertEquals(2, run("model", "import", "--from", pth, "--variant", "tiny", "--out", out).code(),
                "no class count");
        assertEquals(2, run("model", "import", "--from", tmp.resolve("none.pth"), "--variant", "tiny",
                "--num-classes", 5, "--out", out).code());
        assertEquals(2, run("model", "import", "--from", pth, "--arch", "psp", "--variant", "tiny",
                "--num-classes", 5, "--out", out).code());
        Run spec = run("model", "import", "--from", pth, "--spec", TINY.resolve("spec.json"), "--num-classes", 6,
                "--out", out);
        assertEquals(2, spec.code());
        assertTrue(spec.err().contains("contradicts numClasses 5"), spec.err());
        Path typo = tmp.resolve("typo.json");
        Files.writeString(typo, "{\"stemChannel\": 16}");
        Run unknownKey = run("model", "import", "--from", pth, "--spec", typo, "--num-classes", 5, "--out", out);
        assertEquals(2, unknownKey.code());
        assertTrue(unknownKey.err().contains("unknown key 'stemChannel'"), unknownKey.err());
        Files.createDirectories(tmp.resolve("notes"));
        assertEquals(2, run("model", "import", "--from", pth, "--variant", "tiny", "--num-classes", 5, "--out",
                tmp.resolve("notes"), "--force").code(), "a folder that is not a checkpoint is never replaced");
        assertFalse(Files.exists(out));

        assertEquals(0, run("model", "import", "--from", pth, "--variant", "tiny", "--num-classes", 5, "--out",
                out).code());
        Run again = run("model", "import", "--from", pth, "--variant", "tiny", "--num-classes", 5, "--out", out);
        assertEquals(2, again.code());
        assertTrue(again.err().contains("--force"), again.err());
        assertEquals(0, run("model", "import", "--from", pth, "--variant", "tiny", "--num-classes", 5, "--out", out,
                "--force").code());
    }

    @Test
    void logitsRejectsBadInputsAndReportsBrokenCheckpoints(@TempDir Path tmp) throws IOException {
        Path ckpt = tmp.resolve("c");
        assertEquals(0, run("model", "import", "--from", TINY.resolve("model.pth"), "--variant", "tiny",
                "--num-classes", 5, "--out", ckpt).code());
        Path fourChannels = tmp.resolve("x4.npy");
        Npy.write(fourChannels, NpyArray.of(new float[4 * 33 * 33], 1, 4, 33, 33));
        Path evenSize = tmp.resolve("x32.npy");
        Npy.write(evenSize, NpyArray.of(new float[3 * 32 * 32], 1, 3, 32, 32));
        Path y = tmp.resolve("y.npy");

        Run channels = run("model", "logits", "--checkpoint", ckpt, "--input", fourChannels, "--out", y);
        assertEquals(2, channels.code());
        assertTrue(channels.err().contains("(1, 4, 33, 33)"), channels.err());
        assertEquals(2, run("model", "logits", "--checkpoint", ckpt, "--input", evenSize, "--out", y).code());
        assertEquals(2, run("model", "logits", "--checkpoint", tmp.resolve("none"), "--input",
                TINY.resolve("input.npy"), "--out", y).code());

        Files.delete(ckpt.resolve(Checkpoints.DATA_FILE));
        Run broken = run("model", "logits", "--checkpoint", ckpt, "--input", TINY.resolve("input.npy"), "--out", y);
        assertEquals(1, broken.code());
        assertTrue(broken.err().contains(Checkpoints.DATA_FILE), broken.err());
        assertFalse(Files.exists(y));
    }

    @Test
    void benchReportsBuildAndInferenceTimesAsJson() {
        Run r = run("model", "bench", "--variant", "tiny", "--num-classes", 5, "--input", "33x33", "--runs", 2,
                "--json", "--checkpoint-io");
        assertEquals(0, r.code(), r.err());
        Map<?, ?> m = (Map<?, ?>) Json.parse(r.out(), "bench output");
        assertEquals("tiny", m.get("variant"));
        assertEquals(List.of(1L, 33L, 33L, 3L), m.get("input"));
        for (String key : List.of("graphBuildMs", "variableInitMs", "firstRunMs", "medianRunMs", "minRunMs",
                "checkpointWriteMs", "checkpointRestoreMs")) {
            assertTrue(m.get(key) instanceof Double d && d >= 0, key + " in " + r.out());
        }
        assertEquals(2, ((List<?>) m.get("runMs")).size());
        assertTrue((Long) m.get("checkpointBytes") > 4 * TestCheckpoints.provider("hrnet").parameterCount("tiny", 5), r.out());

        Run text = run("model", "bench", "--variant", "tiny", "--num-classes", 5, "--input", "33x33", "--runs", 1,
                "--no-graph-optimizer");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("inference, median of 1 runs"), text.out());
        assertEquals(2, run("model", "bench", "--input", "32x32").code());
        assertEquals(2, run("model", "bench", "--width", "64").code());
    }
}
