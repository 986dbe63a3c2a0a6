package org.mseg.hrnet.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.TrainingException;
import org.mseg.api.train.StepReport;
import org.mseg.api.train.TrainingListener;
import org.mseg.datasets.loader.Batch;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.engine.BatchSource;
import org.mseg.engine.Trainer;
import org.mseg.engine.TrainingLoop;
import org.mseg.engine.checkpoint.CheckpointMetadata;
import org.mseg.engine.checkpoint.Checkpoints;
import org.mseg.hrnet.HrnetSpec;
import org.mseg.hrnet.provider.HrnetModelProvider;

/**
 * The loop with real checkpoints: 2N steps straight equal N steps, a checkpoint, a fresh process-like restart from
 * it (weights, momentum, iteration, data position) and N more steps; listeners see every step; a NaN names the last
 * good checkpoint.
 */
class TrainingLoopTest {

    private static final int SIZE = 9;
    private static final int N = 3;
    private static final List<DatasetSlice> SLICES = ToyBatches.twoDatasets(1);

    private static TrainingLoop.Checkpointer checkpointer(Path run) {
        CheckpointMetadata base = CheckpointMetadata.of(new HrnetModelProvider(),
                HrnetModelProvider.modelSpec(HrnetSpec.tiny(), Toy.CLASSES), "toy",
                CheckpointMetadata.placeholderClassNames(Toy.CLASSES));
        return (t, last, step) -> {
            Map<String, Object> training = new LinkedHashMap<>();
            training.put("iteration", t.iteration());
            training.put("loader", last.sourceState());
            return Checkpoints.write(Checkpoints.iterationDir(run, t.iteration()), t.session(),
                    base.withTraining(training).withExtraVariables(
                            t.optimizer().slots().stream().map(v -> v.op().name()).toList()));
        };
    }

    @Test
    void resumeFromCheckpointReproducesAnUninterruptedRun(@TempDir Path tmp) {
        Map<String, float[]> straight;
        try (Trainer t = Toy.trainer(SIZE, SLICES, 0.05, 2 * N, 5).build()) {
            new TrainingLoop(t, new ToyBatches(2, SIZE, Toy.CLASSES, SLICES, 0), 0, null, List.of()).run();
            straight = t.variableValues();
        }
        Path run = tmp.resolve("run");
        // first half: schedule of 2N steps, stopped after N (as if the process died right after the checkpoint)
        try (Trainer t = Toy.trainer(SIZE, SLICES, 0.05, 2 * N, 5).build()) {
            ToyBatches data = new ToyBatches(2, SIZE, Toy.CLASSES, SLICES, 0);
            TrainingLoop.Checkpointer save = checkpointer(run);
            for (int i = 0; i < N; i++) {
                Batch b = data.next();
                t.step(b);
                if (t.iteration() == N) {
                    save.save(t, b, null);
                }
            }
        }
        Path latest = Checkpoints.latest(run).orElseThrow();
        long[] next = new long[1];
        Map<String, float[]> resumed;
        try (Trainer t = Toy.trainer(SIZE, SLICES, 0.05, 2 * N, 99).initializer(tr -> {
            CheckpointMetadata meta = Checkpoints.restore(latest, tr.session());
            tr.resumeAt(((Number) meta.training().get("iteration")).longValue());
            next[0] = ((Number) ((Map<?, ?>) meta.training().get("loader")).get("next")).longValue();
        }).build()) {
            assertEquals(N, t.iteration());
            List<Long> steps = new ArrayList<>();
            TrainingListener record = new TrainingListener() {
                @Override
                public void onStep(StepReport r) {
                    steps.add(r.iteration());
                }
            };
            Optional<Path> last = new TrainingLoop(t, new ToyBatches(2, SIZE, Toy.CLASSES, SLICES, next[0]), 0,
                    checkpointer(run), List.of(record)).run();
            assertEquals(List.of(4L, 5L, 6L), steps);
            assertEquals(Optional.of(Checkpoints.iterationDir(run, 2 * N)), last);
            resumed = t.variableValues();
        }
        assertEquals(N, next[0]);
        // Bit-exact, on any CPU: both runs execute the same graph with the same kernels on the same machine, on the
        // same batches in the same order (TrainerTest.twoSeededRunsGiveBitIdenticalWeights), and a checkpoint
        // stores float32 values exactly; any difference is state the resume lost, not rounding. (The former absolute
        // 1e-6 came from neither: it is 8 ulps of a weight near 1 but thousands of ulps of a small momentum entry.)
        assertEquals(straight.keySet(), resumed.keySet());
        for (String k : straight.keySet()) {
            assertArrayEquals(straight.get(k), resumed.get(k), k);
        }
    }

    @Test
    void nonFiniteLossNamesTheLastGoodCheckpoint(@TempDir Path tmp) {
        Path run = tmp.resolve("run");
        ToyBatches good = new ToyBatches(2, SIZE, Toy.CLASSES, SLICES, 0);
        BatchSource poisonedAfterTwo = new BatchSource() {
            private int served;

            @Override
            public Batch next() {
                Batch b = good.next();
                if (++served <= 2) {
                    return b;
                }
                float[] images = b.images().clone();
                images[0] = Float.POSITIVE_INFINITY;
                return new Batch(b.index(), SIZE, SIZE, images, b.labels(), SLICES, b.sourceState());
            }
        };
        List<Throwable> ended = new ArrayList<>();
        TrainingListener onEnd = new TrainingListener() {
            @Override
            public void onEnd(long completed, Throwable failure) {
                ended.add(failure);
            }
        };
        try (Trainer t = Toy.trainer(SIZE, SLICES, 0.05, 10, 5).build()) {
            TrainingException e = assertThrows(TrainingException.class,
                    () -> new TrainingLoop(t, poisonedAfterTwo, 2, checkpointer(run), List.of(onEnd)).run());
            assertTrue(e.getMessage().contains("at step 3"), e.getMessage());
            assertTrue(e.getMessage().contains("iter_2"), e.getMessage());
        }
        assertEquals(1, ended.size());
        assertTrue(ended.get(0) instanceof TrainingException);
        assertEquals(List.of(Checkpoints.iterationDir(run, 2)), Checkpoints.list(run));
    }

    @Test
    void nonFiniteLossRightAfterAResumeNamesTheCheckpointItResumedFrom(@TempDir Path tmp) {
        Path run = tmp.resolve("run");
        try (Trainer t = Toy.trainer(SIZE, SLICES, 0.05, 10, 5).build()) {
            ToyBatches data = new ToyBatches(2, SIZE, Toy.CLASSES, SLICES, 0);
            Batch b = data.next();
            t.step(b);
            checkpointer(run).save(t, b, null);
        }
        Path loaded = Checkpoints.latest(run).orElseThrow();
        ToyBatches good = new ToyBatches(2, SIZE, Toy.CLASSES, SLICES, 1);
        BatchSource poisoned = () -> {
            Batch b = good.next();
            float[] images = b.images().clone();
            images[0] = Float.NaN;
            return new Batch(b.index(), SIZE, SIZE, images, b.labels(), SLICES, b.sourceState());
        };
        try (Trainer t = Toy.trainer(SIZE, SLICES, 0.05, 10, 5).initializer(tr -> {
            CheckpointMetadata meta = Checkpoints.restore(loaded, tr.session());
            tr.resumeAt(((Number) meta.training().get("iteration")).longValue());
        }).build()) {
            TrainingException e = assertThrows(TrainingException.class, () -> new TrainingLoop(t, poisoned, 0,
                    checkpointer(run), List.of()).resumedFrom(loaded).run());
            assertTrue(e.getMessage().contains("Last good checkpoint: " + loaded + " (the checkpoint this run resumed"
                    + " from)"), e.getMessage());
            assertFalse(e.getMessage().contains("none written yet"), e.getMessage());
        }
    }
}
