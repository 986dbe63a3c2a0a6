package org.mseg.hrnet.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.json.Json;
import org.mseg.engine.checkpoint.CheckpointException;
import org.mseg.engine.checkpoint.CheckpointMetadata;
import org.mseg.engine.checkpoint.Checkpoints;
import org.mseg.engine.checkpoint.LoadedModel;
import org.mseg.hrnet.Hrnet;
import org.mseg.hrnet.HrnetSpec;
import org.mseg.hrnet.StateDictLoader;
import org.mseg.hrnet.provider.HrnetModelProvider;
import org.mseg.pytorch.TorchTensor;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

class CheckpointsTest {

    private static final int CLASSES = 3;

    private static CheckpointMetadata meta() {
        return CheckpointMetadata.of(new HrnetModelProvider(), HrnetModelProvider.modelSpec(HrnetSpec.tiny(), CLASSES),
                "toy-3", List.of("sky", "road", "car"));
    }

    /** Writes a tiny model with weights drawn from {@code seed}; returns its weights. */
    private static Map<String, TorchTensor> writeTiny(Path dir, long seed, CheckpointMetadata meta) {
        try (Graph g = new Graph()) {
            Hrnet model = Hrnet.create(g, HrnetSpec.tiny(), CLASSES, 0L);
            try (Session s = new Session(g)) {
                TestModels.randomize(s, model, seed);
                Checkpoints.write(dir, s, meta);
                return StateDictLoader.export(s, model);
            }
        }
    }

    private static Map<String, TorchTensor> restoreTiny(Path dir) {
        try (Graph g = new Graph()) {
            Hrnet model = Hrnet.create(g, HrnetSpec.tiny(), CLASSES, 123L);
            try (Session s = new Session(g)) {
                Checkpoints.restore(dir, s);
                return StateDictLoader.export(s, model);
            }
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void restoreInANewGraphGivesTheSavedWeights(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("ckpt");
        Map<String, TorchTensor> saved = writeTiny(dir, 7L, meta());
        assertEquals(List.of(Checkpoints.METADATA_FILE, Checkpoints.DATA_FILE, Checkpoints.INDEX_FILE), names(dir));
        assertEquals(List.of("ckpt"), names(tmp), "no temporary folder is left");
        Map<String, TorchTensor> restored = restoreTiny(dir);
        assertEquals(saved.keySet(), restored.keySet());
        assertEquals(saved, restored);
        assertNotEquals(saved, writeTiny(tmp.resolve("other"), 8L, meta()),
                "the seed matters, so equality means something");
    }

    @Test
    void metadataRoundTripsIncludingTrainingStateAndCustomSpec(@TempDir Path tmp) {
        Map<String, Object> training = new LinkedHashMap<>();
        training.put("iteration", 1200L);
        training.put("rngState", List.of(-8_000_000_000_000_000_000L, 42L));
        training.put("loader", Map.of("epoch", 3L, "position", 17L));
        training.put("config", Map.of("TRAIN", Map.of("base_lr", 0.01, "arch", "hrnet")));
        HrnetSpec custom = new HrnetSpec("w12-custom", 16, 16, 1, 12, 2, List.of(1, 2, 1));
        CheckpointMetadata meta = CheckpointMetadata.of(new HrnetModelProvider(),
                HrnetModelProvider.modelSpec(custom, 2), "mine", List.of("a", "b\"quoted\""))
                .withTraining(training).withCreated(Instant.parse("2026-11-29T17:00:00Z"));
        CheckpointMetadata back = CheckpointMetadata.fromJson(Json.parse(Json.write(meta.toJson(), true), "x"), "x");
        assertEquals(meta, back);
        assertEquals(custom, HrnetModelProvider.spec(back.modelSpec()));
        assertEquals("w12-custom", back.variant());
        assertFalse(back.weightsOnly());
        assertEquals(1200L, back.training().get("iteration"));
        assertTrue(CheckpointMetadata.fromJson(Json.parse(Json.write(meta().toJson(), false), "y"), "y")
                .training().isEmpty());
    }

    @Test
    void trainingCheckpointWithOptimizerSlotsRestoresIntoAModelOnlyGraph(@TempDir Path tmp) {
        Path dir = tmp.resolve("train");
        Map<String, TorchTensor> saved;
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Hrnet model = Hrnet.create(tf, HrnetSpec.tiny(), CLASSES, 0L);
            Variable<TFloat32> slot = tf.withName("conv1.weight-momentum").variable(tf.fill(
                    tf.constant(model.parameter("conv1.weight").orElseThrow().shape().asArray()), tf.constant(0.5f)));
            Variable<TInt64> step = tf.withName("global_step").variable(tf.constant(77L));
            List<String> extras = new ArrayList<>(Checkpoints.variableNames(g));
            extras.removeAll(model.variablesByTorchKey().keySet());
            assertEquals(List.of(slot.op().name(), step.op().name()), extras);
            try (Session s = new Session(g)) {
                TestModels.randomize(s, model, 3L);
                Checkpoints.write(dir, s, meta().withExtraVariables(extras)
                        .withTraining(Map.of("iteration", 77L)));
                saved = StateDictLoader.export(s, model);
            }
        }
        assertEquals(List.of("conv1.weight-momentum", "global_step"), Checkpoints.read(dir).extraVariables());
        assertEquals(saved, restoreTiny(dir), "a graph without the slots restores the model entries only");

        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Hrnet.create(tf, HrnetSpec.tiny(), CLASSES, 0L);
            Variable<TInt64> step = tf.withName("global_step").variable(tf.constant(0L));
            try (Session s = new Session(g)) {
                Checkpoints.restore(dir, s);
                try (Result r = s.runner().fetch(step).run()) {
                    assertEquals(77L, ((TInt64) r.get(0)).getObject());
                }
            }
        }
    }

    @Test
    void restoringIntoAGraphWithAVariableTheCheckpointLacksNamesTheFolder(@TempDir Path tmp) {
        Path dir = tmp.resolve("weights");
        writeTiny(dir, 1L, meta());
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Hrnet.create(tf, HrnetSpec.tiny(), CLASSES, 0L);
            tf.withName("conv1.weight-momentum").variable(tf.constant(1f));
            try (Session s = new Session(g)) {
                CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.restore(dir, s));
                assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
                assertTrue(e.getMessage().contains("conv1.weight-momentum"), e.getMessage());
            }
        }
    }

    @Test
    void aCrashBetweenTheTwoRenamesIsRecoveredAndStaleTempFoldersAreIgnored(@TempDir Path tmp) throws IOException {
        Path run = tmp.resolve("run");
        Path iter5 = Checkpoints.iterationDir(run, 5);
        Map<String, TorchTensor> weights = writeTiny(iter5, 5L, meta());
        // The state a kill leaves between "move old aside" and "move new into place" ...
        Files.move(iter5, iter5.resolveSibling(".iter_5.old-1f"));
        // ... and a kill during a later write.
        Path partial = Files.createDirectories(iter5.resolveSibling(".iter_9.tmp-2e"));
        Files.writeString(partial.resolve(Checkpoints.INDEX_FILE), "partial");

        assertEquals(Optional.of(iter5), Checkpoints.latest(run));
        assertEquals(weights, restoreTiny(iter5));
        assertEquals(List.of(), Checkpoints.keepLast(run, 1));
        assertEquals(List.of("iter_5"), names(run.resolve(Checkpoints.CHECKPOINTS_FOLDER)));
    }

    @Test
    void latestPicksTheHighestIterationAndKeepLastDeletesTheOldest(@TempDir Path tmp) throws IOException {
        Path run = tmp.resolve("run");
        assertEquals(Optional.empty(), Checkpoints.latest(run));
        for (long it : new long[] {1000, 200, 30000, 4000}) {
            writeTiny(Checkpoints.iterationDir(run, it), it, meta().withTraining(Map.of("iteration", it)));
        }
        Files.createDirectories(run.resolve(Checkpoints.CHECKPOINTS_FOLDER).resolve("final-notes"));
        Path latest = Checkpoints.latest(run).orElseThrow();
        assertEquals("iter_30000", latest.getFileName().toString());
        assertEquals(30000L, Checkpoints.read(latest).training().get("iteration"));
        assertEquals(List.of(200L, 1000L, 4000L, 30000L),
                Checkpoints.list(run).stream().map(p -> Checkpoints.iteration(p).orElseThrow()).toList());

        List<Path> deleted = Checkpoints.keepLast(run, 2);
        assertEquals(List.of(Checkpoints.iterationDir(run, 200), Checkpoints.iterationDir(run, 1000)), deleted);
        assertEquals(List.of("final-notes", "iter_30000", "iter_4000"),
                names(run.resolve(Checkpoints.CHECKPOINTS_FOLDER)));
        assertEquals(List.of(), Checkpoints.keepLast(run, 2));
        assertThrows(IllegalArgumentException.class, () -> Checkpoints.keepLast(run, 0));
    }

    @Test
    void missingAndCorruptFilesGiveErrorsNamingTheFile(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("ckpt");
        CheckpointException missingDir = assertThrows(CheckpointException.class, () -> Checkpoints.read(dir));
        assertTrue(missingDir.getMessage().contains(dir.toString())
                && missingDir.getMessage().contains("does not exist"), missingDir.getMessage());

        writeTiny(dir, 1L, meta());
        Path json = dir.resolve(Checkpoints.METADATA_FILE);
        String good = Files.readString(json);

        Files.writeString(json, good.substring(0, good.length() / 2));
        assertMessage(dir, json.toString(), "corrupt");

        Files.writeString(json, good.replace("\"formatVersion\": 1", "\"formatVersion\": 7"));
        assertMessage(dir, json.toString(), "unknown checkpoint formatVersion 7");

        Files.writeString(json, good.replace("\"taxonomy\"", "\"taxonomies\""));
        assertMessage(dir, json.toString(), "missing field taxonomy");

        Files.writeString(json, good.replace("\"car\"", "\"car\", \"bus\""));
        assertMessage(dir, json.toString(), "4 names for 3 classes");

        Files.writeString(json, good);
        Files.delete(dir.resolve(Checkpoints.DATA_FILE));
        assertMessage(dir, dir.resolve(Checkpoints.DATA_FILE).toString(), "is missing");

        Files.delete(json);
        assertMessage(dir, json.getFileName().toString(), "not an MSeg checkpoint folder");
    }

    @Test
    void corruptModelFieldsGiveErrorsNamingTheFile(@TempDir Path tmp) throws IOException {
        // The model fields are the provider's: the engine reads them as they are and the provider checks them when
        // the checkpoint's model is opened, naming the file all the same.
        Path dir = tmp.resolve("ckpt");
        writeTiny(dir, 1L, meta());
        Path json = dir.resolve(Checkpoints.METADATA_FILE);
        String good = Files.readString(json);

        Files.writeString(json, good.replace("\"baseWidth\": 8", "\"baseWidth\": \"8\""));
        assertOpenMessage(dir, json.toString(), "'baseWidth' must be an integer");

        Files.writeString(json, good.replace("\"arch\": \"hrnet\"", "\"arch\": \"psp\""));
        assertOpenMessage(dir, json.toString(), "model.arch 'psp' is not supported");
    }

    private static void assertOpenMessage(Path dir, String file, String problem) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> LoadedModel.open(dir, 33, 33));
        assertTrue(e.getMessage().contains(file), "names " + file + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(problem), "says " + problem + ": " + e.getMessage());
    }

    @Test
    void corruptVariableDataFailsTheRestoreNamingTheFolder(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("ckpt");
        writeTiny(dir, 1L, meta());
        Files.writeString(dir.resolve(Checkpoints.INDEX_FILE), "not a tensor bundle");
        CheckpointException e = assertThrows(CheckpointException.class, () -> restoreTiny(dir));
        assertTrue(e.getMessage().startsWith("cannot restore checkpoint " + dir), e.getMessage());
    }

    @Test
    void writeRefusesAModelOutsideTheRootScopeAndUnknownExtraVariables(@TempDir Path tmp) {
        try (Graph g = new Graph()) {
            Hrnet model = Hrnet.create(Ops.create(g).withSubScope("student"), HrnetSpec.tiny(), CLASSES, 0L);
            try (Session s = new Session(g)) {
                TestModels.randomize(s, model, 1L);
                CheckpointException e = assertThrows(CheckpointException.class,
                        () -> Checkpoints.write(tmp.resolve("c"), s, meta()));
                assertTrue(e.getMessage().contains("no model variable at its root scope (e.g. 'student/"),
                        e.getMessage());
            }
        }
        try (Graph g = new Graph()) {
            Hrnet model = Hrnet.create(g, HrnetSpec.tiny(), CLASSES, 0L);
            try (Session s = new Session(g)) {
                TestModels.randomize(s, model, 1L);
                CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.write(
                        tmp.resolve("c"), s, meta().withExtraVariables(List.of("no-such-slot"))));
                assertTrue(e.getMessage().contains("'no-such-slot'"), e.getMessage());
            }
        }
        assertFalse(Files.exists(tmp.resolve("c")));
    }

    private static void assertMessage(Path dir, String file, String problem) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.read(dir));
        assertTrue(e.getMessage().contains(file), "names " + file + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(problem), "says " + problem + ": " + e.getMessage());
    }
}
