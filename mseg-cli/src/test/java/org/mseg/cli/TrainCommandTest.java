package org.mseg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.ConfigException;
import org.mseg.api.config.MsegConfig;

/** {@code mseg-cli train}: option errors, and the embedded demo end to end (a few steps). */
class TrainCommandTest {

    @Test
    void unknownStrategyExitsTwoAndListsTheAvailableOnes() {
        CliTest.Run r = CliTest.run("train", "--strategy", "bogus");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown strategy 'bogus'") && r.err().contains("standard"), r.err());
    }

    @Test
    void gpuDevicesAreAClearErrorWithoutAGpuNamingTheOptionAndTheFix() {
        CliTest.Run r = CliTest.run("train", "--devices", "gpu");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("TRAIN.devices in --devices gpu:") && r.err().contains("sees no GPU")
                && r.err().contains("LD_LIBRARY_PATH") && r.err().contains("mseg-cli doctor"), r.err());
        CliTest.Run set = CliTest.run("train", "--set", "devices=gpu:0,1");
        assertEquals(2, set.code());
        assertTrue(set.err().contains("TRAIN.devices in --set devices=gpu:0,1") && set.err().contains("no GPU"),
                set.err());
    }

    @Test
    void deprecatedDeviceOptionMapsToDevicesWithAWarning() {
        CliTest.Run r = CliTest.run("train", "--device", "GPU:0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("warning: --device is deprecated; use --devices gpu:0"), r.err());
        assertTrue(r.err().contains("TRAIN.devices in --device GPU:0") && r.err().contains("no GPU"), r.err());
        CliTest.Run tpu = CliTest.run("train", "--device", "tpu");
        assertEquals(2, tpu.code());
        assertTrue(tpu.err().contains("--device must be cpu, gpu or gpu:N") && tpu.err().contains("--devices"),
                tpu.err());
        CliTest.Run both = CliTest.run("train", "--device", "cpu", "--devices", "cpu");
        assertEquals(2, both.code());
        assertTrue(both.err().contains("give --devices only"), both.err());
    }

    @Test
    void clusterOptionsAreCheckedBeforeAnythingStarts() {
        CliTest.Run index = CliTest.run("train", "--task-index", "1");
        assertEquals(2, index.code());
        assertTrue(index.err().contains("--cluster"), index.err());
        CliTest.Run noIndex = CliTest.run("train", "--cluster", "127.0.0.1:23456,127.0.0.1:23457");
        assertEquals(2, noIndex.code());
        assertTrue(noIndex.err().contains("--task-index"), noIndex.err());
        CliTest.Run bad = CliTest.run("train", "--cluster", "127.0.0.1:23456,127.0.0.1", "--task-index", "0");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("127.0.0.1"), bad.err());
        CliTest.Run auto = CliTest.run("train", "--resume", "auto");
        assertEquals(2, auto.code());
        assertTrue(auto.err().contains("--resume auto") && auto.err().contains("--out"), auto.err());
        CliTest.Run timeout = CliTest.run("train", "--peer-timeout", "0");
        assertEquals(2, timeout.code());
        assertTrue(timeout.err().contains("--peer-timeout"), timeout.err());
    }

    @Test
    void malformedDevicesNameTheOptionAndTheAcceptedForms() {
        CliTest.Run r = CliTest.run("train", "--devices", "cpu:0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--devices: device spec 'cpu:0'") && r.err().contains("1 <= N"), r.err());
        CliTest.Run tpu = CliTest.run("train", "--devices", "tpu:1");
        assertEquals(2, tpu.code());
        assertTrue(tpu.err().contains("cpu:N") && tpu.err().contains("gpu:I,J,..."), tpu.err());
    }

    @Test
    void devicesReachTheTrainerAndTheRunsConfig(@TempDir Path tmp) throws Exception {
        CliTest.withHome(tmp, () -> {
            Path run = tmp.resolve("run");
            CliTest.Run one = CliTest.run("train", "--devices", "cpu:1", "--max-iters", "1", "--no-validate",
                    "--quiet", "--out", run.toString());
            assertEquals(0, one.code(), one.err() + one.out());
            assertTrue(Files.readString(run.resolve("config.yaml")).contains("devices: cpu:1"),
                    Files.readString(run.resolve("config.yaml")));
            // two virtual CPU devices train; their checkpoint resumes on one device (and back on two)
            Path run2 = tmp.resolve("run2");
            CliTest.Run two = CliTest.run("train", "--devices", "cpu:2", "--max-iters", "2", "--no-validate",
                    "--quiet", "--out", run2.toString());
            assertEquals(0, two.code(), two.err() + two.out());
            CliTest.Run onOne = CliTest.run("train", "--devices", "cpu:1", "--max-iters", "3", "--no-validate",
                    "--quiet", "--resume", run2.toString());
            assertEquals(0, onOne.code(), onOne.err() + onOne.out());
            assertTrue(Files.isDirectory(run2.resolve("checkpoints/iter_3")), "resumed on one device");
            CliTest.Run backOnTwo = CliTest.run("train", "--devices", "cpu:2", "--max-iters", "4", "--no-validate",
                    "--quiet", "--resume", run2.toString());
            assertEquals(0, backOnTwo.code(), backOnTwo.err() + backOnTwo.out());
            assertTrue(Files.isDirectory(run2.resolve("checkpoints/iter_4")), "resumed on two devices");
        });
    }

    @Test
    void resumeContinuesFromTheNewestCheckpointOfARun(@TempDir Path tmp) throws Exception {
        CliTest.withHome(tmp, () -> {
            Path run = tmp.resolve("run");
            CliTest.Run first = CliTest.run("train", "--max-iters", "2", "--no-validate", "--out", run.toString());
            assertEquals(0, first.code(), first.err() + first.out());
            CliTest.Run second = CliTest.run("train", "--max-iters", "4", "--no-validate", "--set", "print_freq=1",
                    "--resume", run.toString(), "--out", tmp.resolve("run2").toString());
            assertEquals(0, second.code(), second.err() + second.out());
            assertTrue(second.out().contains("steps 2..4"), second.out());
            assertTrue(second.out().contains("step 3/4") && !second.out().contains("step 1/4"), second.out());
            // fp16 builds on every CPU (bf16 needs AVX-512 kernels); any precision but the checkpoint's is refused
            CliTest.Run bf16 = CliTest.run("train", "--max-iters", "4", "--no-validate", "--set", "precision=fp16",
                    "--resume", run.toString(), "--out", tmp.resolve("x").toString());
            assertEquals(2, bf16.code(), bf16.err());
            assertTrue(bf16.err().contains("trained with TRAIN.precision fp32"), bf16.err());
        });
    }

    @Test
    void resumeWithoutOutContinuesInTheRunFolderItNames(@TempDir Path tmp) throws Exception {
        CliTest.withHome(tmp, () -> {
            Path run = tmp.resolve("run");
            CliTest.Run first = CliTest.run("train", "--max-iters", "2", "--no-validate", "--out", run.toString());
            assertEquals(0, first.code(), first.err() + first.out());
            CliTest.Run again = CliTest.run("train", "--max-iters", "3", "--no-validate", "--quiet", "--resume",
                    run.toString());
            assertEquals(0, again.code(), again.err() + again.out());
            assertTrue(Files.isDirectory(run.resolve("checkpoints/iter_3")), "the resumed run wrote into " + run);
            assertFalse(again.out().contains("demo: synthetic datasets"), "--quiet: " + again.out());
            CliTest.Run fromCheckpoint = CliTest.run("train", "--max-iters", "4", "--no-validate", "--resume",
                    run.resolve("checkpoints/iter_3").toString());
            assertEquals(0, fromCheckpoint.code(), fromCheckpoint.err() + fromCheckpoint.out());
            assertTrue(Files.isDirectory(run.resolve("checkpoints/iter_4")), "RUN/checkpoints/iter_N continues RUN");
            assertEquals(java.util.Optional.empty(), TrainCommand.runFolderOf(tmp), "a folder holding no run");
        });
    }

    @Test
    void demoTrainsValidatesAndWritesTheRunFolder(@TempDir Path tmp) throws Exception {
        CliTest.withHome(tmp, () -> {
            Path run = tmp.resolve("run");
            CliTest.Run r = CliTest.run("train", "--max-iters", "3", "--set", "print_freq=1", "--out", run.toString());
            assertEquals(0, r.code(), r.err() + r.out());
            assertTrue(r.out().contains("step 3/3 loss"), r.out());
            assertTrue(r.out().contains("bdd-relabeled"), r.out());
            String metrics = Files.readString(run.resolve("metrics.json"));
            assertTrue(metrics.startsWith("{\"mIoU\": {\"ade20k-150-relabeled\": "), metrics);
            assertTrue(Files.readString(run.resolve("config.yaml")).contains("base_lr"));
            assertTrue(Files.isRegularFile(run.resolve("checkpoints/iter_3/checkpoint.json")));
            assertTrue(Files.readString(run.resolve("checkpoints/iter_3/checkpoint.json")).contains("\"plugins\": []"),
                    "the plugin modules the run loaded (none) are recorded");
            try (var files = Files.list(run.resolve("tensorboard"))) {
                assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("events.out.tfevents")));
            }
        });
    }

    @Test
    void anOutOfRangeLearningRateIsRefusedBeforeAnythingIsWritten(@TempDir Path tmp) throws Exception {
        CliTest.withHome(tmp, () -> {
            Path run = tmp.resolve("run");
            for (String lr : new String[] {"-0.01", ".nan", ".inf"}) {
                CliTest.Run r = CliTest.run("train", "--max-iters", "1", "--set", "base_lr=" + lr, "--out",
                        run.toString());
                assertEquals(2, r.code(), r.err() + r.out());
                assertTrue(r.err().contains("TRAIN.base_lr in --set base_lr=" + lr + " is " + lr + "; allowed: a"
                        + " finite number > 0"), r.err());
                assertFalse(r.err().contains("unexpected failure"), r.err());
                assertFalse(Files.exists(run), "nothing written for base_lr=" + lr);
            }
        });
    }

    @Test
    void aFinishedRunsFolderIsRefusedUnlessResumingOrOverwriting(@TempDir Path tmp) throws Exception {
        CliTest.withHome(tmp, () -> {
            Path run = tmp.resolve("run");
            CliTest.Run first = CliTest.run("train", "--max-iters", "1", "--no-validate", "--out", run.toString());
            assertEquals(0, first.code(), first.err() + first.out());
            String config = Files.readString(run.resolve("config.yaml"));

            CliTest.Run again = CliTest.run("train", "--max-iters", "2", "--no-validate", "--set", "base_lr=0.02",
                    "--out", run.toString());
            assertEquals(2, again.code(), again.err() + again.out());
            assertTrue(again.err().contains("run folder " + run + " already holds a run (config.yaml, checkpoints/")
                    && again.err().contains("--resume " + run) && again.err().contains("--overwrite"), again.err());
            assertEquals(config, Files.readString(run.resolve("config.yaml")), "the first run's config is kept");

            CliTest.Run both = CliTest.run("train", "--overwrite", "--resume", run.toString(), "--out",
                    run.toString());
            assertEquals(2, both.code(), both.err());

            CliTest.Run overwrite = CliTest.run("train", "--max-iters", "2", "--no-validate", "--set",
                    "base_lr=0.02", "--overwrite", "--out", run.toString());
            assertEquals(0, overwrite.code(), overwrite.err() + overwrite.out());
            assertTrue(Files.readString(run.resolve("config.yaml")).contains("base_lr: 0.02"));
            assertFalse(Files.exists(run.resolve("checkpoints/iter_1")), "the old run's checkpoints are gone");
        });
    }

    @Test
    void useMgdaInTheConfigSelectsMgdaAndConflictsWithAnotherStrategy() {
        MsegConfig mgda = MsegConfig.fromMap(java.util.Map.of("DATA", java.util.Map.of("use_mgda", true)), "m.yaml");
        MsegConfig plain = MsegConfig.fromMap(java.util.Map.of("DATA", java.util.Map.of("use_mgda", false)), "p.yaml");
        assertEquals("mgda", TrainCommand.strategyFor(mgda, null));
        assertEquals("mgda", TrainCommand.strategyFor(mgda, "mgda"));
        assertEquals("standard", TrainCommand.strategyFor(plain, null));
        assertEquals("ccsa", TrainCommand.strategyFor(plain, "ccsa"));
        ConfigException e = assertThrows(ConfigException.class, () -> TrainCommand.strategyFor(mgda, "ccsa"));
        assertTrue(e.getMessage().contains("use_mgda: True in m.yaml conflicts with --strategy ccsa"), e.getMessage());
    }
}
