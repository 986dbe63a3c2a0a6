package org.mseg.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.mseg.api.TrainingException;
import org.mseg.api.train.StepReport;
import org.mseg.api.train.TrainingListener;
import org.mseg.datasets.loader.Batch;

/**
 * Drives a {@link Trainer} from a {@link BatchSource} until {@code max_iters} steps are done: times each step (and
 * the share spent waiting for data), tells the listeners, and asks the {@link Checkpointer} for a checkpoint every
 * {@code saveEvery} steps and after the last one. All work stops at exactly {@code max_iters}.
 */
public final class TrainingLoop {

    /**
     * Writes a checkpoint of the trainer's current state. The loop asks for one after the last step, every
     * {@code saveEvery} steps, and whenever {@link #due} says so ({@link CheckpointListener} owns its frequency there).
     */
    @FunctionalInterface
    public interface Checkpointer {
        /** Whether a checkpoint is due after step {@code iteration}, besides the last one; never by default. */
        default boolean due(long iteration) {
            return false;
        }

        /**
         * @param trainer   the trainer, {@link Trainer#iteration()} steps done
         * @param lastBatch the batch of the last step (its source state says where the data continues)
         * @param lastStep  the report of the last step (losses and the strategy's extras, e.g. MGDA's α)
         * @return the checkpoint folder
         */
        Path save(Trainer trainer, Batch lastBatch, StepReport lastStep);
    }

    private final Trainer trainer;
    private final BatchSource source;
    private final long saveEvery;
    private final Checkpointer checkpointer;
    private final List<TrainingListener> listeners;
    private Optional<Path> resumedFrom = Optional.empty();

    /**
     * @param saveEvery    steps between checkpoints (0: only after the last step)
     * @param checkpointer writes checkpoints; {@code null} for none
     */
    public TrainingLoop(Trainer trainer, BatchSource source, long saveEvery, Checkpointer checkpointer,
            List<TrainingListener> listeners) {
        this.trainer = Objects.requireNonNull(trainer);
        this.source = Objects.requireNonNull(source);
        this.saveEvery = saveEvery;
        this.checkpointer = checkpointer;
        this.listeners = List.copyOf(listeners);
    }

    /**
     * Names the checkpoint the trainer was restored from, so that a failure before this loop's first checkpoint
     * names it as the last good one (instead of "none written yet").
     *
     * @param checkpoint the checkpoint folder the trainer's state was loaded from
     * @return this loop
     */
    public TrainingLoop resumedFrom(Path checkpoint) {
        this.resumedFrom = Optional.of(checkpoint);
        return this;
    }

    /**
     * Trains until the schedule's {@code max_iters}.
     *
     * @return the last checkpoint written, if any
     * @throws TrainingException on a non-finite loss, naming the step and the last good checkpoint
     */
    public Optional<Path> run() {
        long max = trainer.schedule().maxIters();
        Optional<Path> lastCheckpoint = Optional.empty();
        Throwable failure = null;
        try {
            while (trainer.iteration() < max) {
                long t0 = System.nanoTime();
                Batch batch = source.next();
                long t1 = System.nanoTime();
                Trainer.StepResult r;
                try {
                    r = trainer.step(batch);
                } catch (TrainingException e) {
                    String good = lastCheckpoint.map(Path::toString)
                            .or(() -> resumedFrom.map(p -> p + " (the checkpoint this run resumed from)"))
                            .orElse("none written yet");
                    throw new TrainingException(e.getMessage() + ". Last good checkpoint: " + good, e);
                }
                long t2 = System.nanoTime();
                double seconds = (t2 - t0) / 1e9;
                StepReport report = new StepReport(r.iteration(), max, r.outcome().loss(),
                        r.outcome().datasetLosses(), r.learningRate(), batch.size() / seconds,
                        (t1 - t0) / 1e9 / seconds, seconds, r.outcome().extras());
                for (TrainingListener l : listeners) {
                    l.onStep(report);
                }
                boolean end = r.iteration() == max;
                if (checkpointer != null && (end || (saveEvery > 0 && r.iteration() % saveEvery == 0)
                        || checkpointer.due(r.iteration()))) {
                    Path dir = checkpointer.save(trainer, batch, report);
                    lastCheckpoint = Optional.of(dir);
                    for (TrainingListener l : listeners) {
                        l.onCheckpoint(r.iteration(), dir);
                    }
                }
            }
            return lastCheckpoint;
        } catch (RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            List<RuntimeException> listenerErrors = new ArrayList<>();
            for (TrainingListener l : listeners) {
                try {
                    l.onEnd(trainer.iteration(), failure);
                } catch (RuntimeException e) {
                    listenerErrors.add(e);
                }
            }
            if (failure == null && !listenerErrors.isEmpty()) {
                throw listenerErrors.get(0);
            }
        }
    }
}
