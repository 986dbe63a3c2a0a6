package org.mseg.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.train.StepReport;

/** A run's scalars come back from the event files its TensorBoard listener wrote. */
class TrainingScalarsTest {

    @Test
    void stepScalarsAndValidationMiouAreReadBackByTagAndStep(@TempDir Path run) throws IOException {
        try (TensorBoardListener l = new TensorBoardListener(run.resolve("tensorboard"))) {
            l.onStep(new StepReport(1, 2, 2.5, Map.of("bdd", 2.0), 0.01, 12, 0.1, 1, Map.of()));
            l.onValidationPicture("bdd", 0, 2, 2, new byte[12]);
            l.onStep(new StepReport(2, 2, 2.0, Map.of("bdd", 1.5), 0.005, 12, 0.1, 1, Map.of()));
            l.onValidation("bdd", 0.25, Map.of());
        }
        // A record cut short at the end (a run still writing) is ignored.
        try (Stream<Path> files = Files.list(run.resolve("tensorboard"))) {
            Files.write(files.findFirst().orElseThrow(), new byte[] {100, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5},
                    StandardOpenOption.APPEND);
        }
        Map<String, List<TrainingScalars.Point>> s = TrainingScalars.read(run);
        assertEquals(List.of(new TrainingScalars.Point(1, 2.5), new TrainingScalars.Point(2, 2.0)), s.get("loss"));
        assertEquals(1.5, s.get("loss/bdd").get(1).value(), 1e-6);
        assertEquals(0.005, s.get("lr").get(1).value(), 1e-6);
        assertEquals(List.of(new TrainingScalars.Point(2, 0.25)), s.get("val/mIoU/bdd"));
        assertTrue(s.keySet().stream().noneMatch(t -> t.startsWith("val/bdd/")), "pictures are no scalars: " + s);
    }

    @Test
    void aCheckpointBelongsToTheRunWhoseCheckpointsFolderHoldsIt(@TempDir Path dir) throws IOException {
        Path run = dir.resolve("run");
        Files.createDirectories(run.resolve("tensorboard"));
        Files.createDirectories(run.resolve("checkpoints/iter_10"));
        assertEquals(Optional.of(run.toAbsolutePath()), TrainingScalars.runFolderOf(run.resolve("checkpoints/iter_10")));
        Files.createDirectories(dir.resolve("imported"));
        assertEquals(Optional.empty(), TrainingScalars.runFolderOf(dir.resolve("imported")));
    }
}
