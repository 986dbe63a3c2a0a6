package org.mseg.hrnet.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.ConfigException;
import org.mseg.api.TrainingException;
import org.mseg.api.config.ConfigSchema;
import org.mseg.api.config.MsegConfig;
import org.mseg.api.json.Json;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.train.TrainingListener;
import org.mseg.api.train.TrainingPlan;
import org.mseg.datasets.synth.SyntheticMseg;
import org.mseg.engine.RunFolderLock;
import org.mseg.engine.TrainingRun;
import org.mseg.engine.checkpoint.Checkpoints;

/**
 * The run folder belongs to one run: a second run into a running run's folder fails at once naming the holder, a
 * finished run's folder is not silently reused, resuming a run whose newest checkpoint is damaged falls back to the
 * newest good one, and the files a run writes are valid and readable by others.
 */
class TrainingRunFolderTest {
    @TempDir
    static Path shared;
    static PluginEnvironment env;
    static SyntheticMseg.Summary data;
    static MsegConfig cfg;

    @BeforeAll
    static void data() {
        env = PluginEnvironment.boot();
        data = SyntheticMseg.ensure(shared.resolve("data"), new SyntheticMseg.Options(4, 1, 64, 48, 3), env);
        // one dataset, 2 crops a step, 4 train images: 2 steps an epoch, a checkpoint after each epoch
        MsegConfig raw = TrainingRun.demoConfig()
                .with("dataset", List.of("bdd-relabeled"))
                .with("train_gpu", List.of(0)).with("batch_size", 2)
                .with("train_h", 33).with("train_w", 33).with("short_size", 48)
                .with("num_examples", 8).with("save_freq", 1).with("keep_checkpoints", 0)
                .with("tensorboard", false);
        cfg = ConfigSchema.training().validate(raw, new HashSet<>(env.datasets().names()));
    }

    private static TrainingRun.Options options(Path run, Optional<Path> resume, boolean validate, boolean overwrite) {
        return new TrainingRun.Options(cfg, "standard", run, data.dataRoot(), Optional.of(data.listsFolder()),
                resume, Optional.empty(), OptionalLong.empty(), validate, 1, overwrite);
    }

    @Test
    void aSecondRunIntoARunningRunsFolderFailsAtOnceNamingTheHolder(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        TrainingListener hold = new TrainingListener() {
            @Override
            public void onStart(TrainingPlan plan) {
                started.countDown();
                try {
                    release.await(120, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<TrainingRun.Result> first = pool.submit(() -> TrainingRun.run(options(run, Optional.empty(),
                    false, false), env, List.of(hold)));
            assertTrue(started.await(120, TimeUnit.SECONDS), "the first run starts training");
            String configBefore = Files.readString(run.resolve(TrainingRun.CONFIG_FILE));
            TrainingException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(
                    TrainingException.class, () -> TrainingRun.run(options(run, Optional.empty(), false, true), env,
                            List.of())), "even with --overwrite, the second run fails at once");
            assertTrue(e.getMessage().contains("run folder " + run + " is in use by another training run: pid "
                    + ProcessHandle.current().pid()), e.getMessage());
            assertTrue(e.getMessage().contains(RunFolderLock.FILE) && e.getMessage().contains("--out DIR"),
                    e.getMessage());
            assertEquals(configBefore, Files.readString(run.resolve(TrainingRun.CONFIG_FILE)));
            release.countDown();
            assertEquals(8 / 2, first.get(120, TimeUnit.SECONDS).iterations());
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
        // the lock went with the first run: the folder can be continued
        TrainingRun.run(options(run, Optional.of(run), false, false), env, List.of());
    }

    @Test
    void aFinishedRunsFolderIsReusedOnlyWhenResumingOrOverwriting(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        TrainingRun.run(options(run, Optional.empty(), false, false), env, List.of());
        String config = Files.readString(run.resolve(TrainingRun.CONFIG_FILE));
        List<Path> checkpoints = Checkpoints.list(run);
        assertEquals(2, checkpoints.size());
        long modified = Files.getLastModifiedTime(checkpoints.get(1).resolve(Checkpoints.METADATA_FILE)).toMillis();

        ConfigException e = assertThrows(ConfigException.class,
                () -> TrainingRun.run(options(run, Optional.empty(), false, false), env, List.of()));
        assertTrue(e.getMessage().contains("run folder " + run + " already holds a run (config.yaml, checkpoints/"),
                e.getMessage());
        assertTrue(e.getMessage().contains("--resume " + run) && e.getMessage().contains("--overwrite"),
                e.getMessage());
        assertEquals(config, Files.readString(run.resolve(TrainingRun.CONFIG_FILE)));
        assertEquals(checkpoints, Checkpoints.list(run));
        assertEquals(modified, Files.getLastModifiedTime(checkpoints.get(1).resolve(Checkpoints.METADATA_FILE))
                .toMillis(), "nothing of the finished run was touched");

        Files.writeString(run.resolve(TrainingRun.METRICS_FILE), "{\"mIoU\": {}}\n");
        TrainingRun.Result r = TrainingRun.run(options(run, Optional.empty(), false, true), env, List.of());
        assertEquals(4, r.iterations());
        assertFalse(Files.exists(run.resolve(TrainingRun.METRICS_FILE)), "--overwrite removes the old run's files");
    }

    @Test
    void resumingARunWhoseNewestCheckpointIsDamagedFallsBackToTheNewestGoodOne(@TempDir Path tmp)
            throws Exception {
        Path run = tmp.resolve("run");
        TrainingListener crashAfterSecondCheckpoint = new TrainingListener() {
            @Override
            public void onCheckpoint(long iteration, Path directory) {
                if (iteration == 2) {
                    throw new IllegalStateException("simulated crash after checkpoint " + iteration);
                }
            }
        };
        // a 4-step schedule, stopped after iteration 2; then a "newer" checkpoint whose data file is cut short
        assertThrows(IllegalStateException.class, () -> TrainingRun.run(options(run, Optional.empty(), false,
                false), env, List.of(crashAfterSecondCheckpoint)));
        Path good = Checkpoints.iterationDir(run, 2);
        Path damaged = Checkpoints.iterationDir(run, 3);
        copyFolder(good, damaged);
        Path metadata = damaged.resolve(Checkpoints.METADATA_FILE);
        Files.writeString(metadata, Files.readString(metadata).replace("\"iteration\": 2", "\"iteration\": 3"));
        Path dataFile = damaged.resolve(Checkpoints.DATA_FILE);
        byte[] bytes = Files.readAllBytes(dataFile);
        Files.write(dataFile, java.util.Arrays.copyOf(bytes, bytes.length / 2));

        long[] startedAt = new long[1];
        TrainingListener plan = new TrainingListener() {
            @Override
            public void onStart(TrainingPlan p) {
                startedAt[0] = p.startIteration();
            }
        };
        TrainingRun.Result r = TrainingRun.run(options(run, Optional.of(run), false, false), env, List.of(plan));
        assertEquals(2, startedAt[0], "resumed from iter_2, the newest checkpoint that verifies");
        assertEquals(4, r.iterations());

        // the checkpoint itself given: no fallback, and the message says it is damaged
        TrainingException e = assertThrows(TrainingException.class, () -> TrainingRun.run(options(tmp.resolve("b"),
                Optional.of(damaged), false, false), env, List.of()));
        assertTrue(e.getMessage().contains("cannot restore checkpoint " + damaged + ": it is damaged"),
                e.getMessage());
    }

    @Test
    void metricsJsonIsValidJsonReadableByOthers(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        TrainingRun.Result r = TrainingRun.run(options(run, Optional.empty(), true, false), env, List.of());
        Path metrics = run.resolve(TrainingRun.METRICS_FILE);
        Map<?, ?> json = (Map<?, ?>) Json.parse(Files.readString(metrics), metrics.toString());
        Map<?, ?> miou = (Map<?, ?>) json.get("mIoU");
        assertEquals(Set.of("bdd-relabeled"), miou.keySet());
        assertEquals(r.mIoU().get("bdd-relabeled"), ((Number) miou.get("bdd-relabeled")).doubleValue(), 1e-6);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Path probe = Files.createFile(tmp.resolve("probe"));
            for (Path f : List.of(metrics, run.resolve(TrainingRun.CONFIG_FILE))) {
                assertEquals(Files.getPosixFilePermissions(probe), Files.getPosixFilePermissions(f),
                        f + " has the mode of a plain write under the umask");
                if (Files.getPosixFilePermissions(probe).contains(PosixFilePermission.OTHERS_READ)) {
                    assertTrue(Files.getPosixFilePermissions(f).contains(PosixFilePermission.OTHERS_READ), f.toString());
                }
            }
        }
    }

    @Test
    void anOutOfRangeValueFailsBeforeTheRunFolderIsCreatedEvenWhenTheCallerSkippedValidation(@TempDir Path tmp) {
        Path run = tmp.resolve("run");
        for (MsegConfig bad : List.of(cfg.with("momentum", -5.0), cfg.with("base_lr", Double.NaN),
                cfg.with("keep_checkpoints", -1))) {
            TrainingRun.Options o = new TrainingRun.Options(bad, "standard", run, data.dataRoot(),
                    Optional.of(data.listsFolder()), Optional.empty(), Optional.empty(), OptionalLong.empty(), false,
                    1);
            ConfigException e = assertThrows(ConfigException.class, () -> TrainingRun.run(o, env, List.of()));
            assertTrue(e.getMessage().contains("allowed: "), e.getMessage());
            assertFalse(Files.exists(run), "nothing written: " + e.getMessage());
        }
    }

    private static void copyFolder(Path from, Path to) throws java.io.IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }
}
