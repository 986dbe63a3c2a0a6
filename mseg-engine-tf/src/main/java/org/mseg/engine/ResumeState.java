package org.mseg.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mseg.api.ConfigException;
import org.mseg.api.TrainingException;
import org.mseg.api.config.MsegConfig;
import org.mseg.api.config.Precision;
import org.mseg.datasets.loader.LoaderState;
import org.mseg.engine.checkpoint.CheckpointException;
import org.mseg.engine.checkpoint.CheckpointMetadata;
import org.mseg.engine.checkpoint.Checkpoints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a resumed run continues: the checkpoint it was restored from, the steps already done, and the engine state
 * that checkpoint recorded (loader position, loss scaler, ...). The one place where resume state is read:
 * {@link #candidates} says which checkpoints a run may resume from, {@link #restore} restores the newest that
 * verifies into a trainer and reads its state.
 *
 * @param checkpoint the checkpoint folder the variables came from
 * @param iteration  steps completed at that checkpoint
 * @param training   the checkpoint's {@code training} object
 */
public record ResumeState(Path checkpoint, long iteration, Map<String, Object> training) {
    private static final Logger LOG = LoggerFactory.getLogger(ResumeState.class);

    /** Copies the map. */
    public ResumeState {
        training = Collections.unmodifiableMap(new LinkedHashMap<>(training));
    }

    /** The loader position to continue from, if the checkpoint recorded one. */
    public Optional<LoaderState> loaderState() {
        if (training.get("loader") instanceof Map<?, ?> m) {
            @SuppressWarnings("unchecked")
            Map<String, ?> state = (Map<String, ?>) m;
            return Optional.of(LoaderState.fromMap(state));
        }
        return Optional.empty();
    }

    /**
     * Whether the run asks to resume ({@code --resume}, {@code TRAIN.resume} or {@code auto_resume}), even when
     * {@code auto_resume}'s folder holds no checkpoint yet.
     */
    public static boolean requested(TrainingRun.Options o) {
        MsegConfig c = o.config();
        return o.resume().isPresent() || c.getOptionalString("resume").isPresent()
                || !c.getString("auto_resume").equals("None");
    }

    /**
     * The checkpoints to resume from, best first: the one named, or, for a run folder ({@code --resume RUN},
     * {@code auto_resume}), all of its checkpoints newest first, so that a damaged newest one falls back to the
     * newest that verifies. Empty when not resuming (or when {@code auto_resume}'s folder has no checkpoint yet).
     */
    public static List<Path> candidates(TrainingRun.Options o) {
        MsegConfig c = o.config();
        if (o.resume().isPresent()) {
            return checkpointOrRun(o.resume().get(), "--resume");
        }
        Optional<String> resume = c.getOptionalString("resume");
        if (resume.isPresent()) {
            return checkpointOrRun(Path.of(resume.get()), "TRAIN.resume in " + c.where("resume") + ":");
        }
        String auto = c.getString("auto_resume");
        if (!auto.equals("None")) {
            return newestFirst(Path.of(auto));
        }
        return List.of();
    }

    /**
     * Restores the first candidate that verifies (metadata readable, files present, variables restorable) into the
     * trainer and continues its step count there. A damaged one is skipped with a warning saying why; restoring the
     * next overwrites every variable, so nothing of a half-restored checkpoint survives. Precision, weights-only and
     * length mismatches are not damage: they fail at once.
     *
     * @param maxIters the run's length; a checkpoint beyond it is refused
     * @throws TrainingException when no candidate verifies, naming each with its problem
     * @throws ConfigException   when the checkpoint was trained in another precision
     */
    public static ResumeState restore(Trainer t, List<Path> candidates, Precision precision, MsegConfig c,
            long maxIters) {
        Path from = restoreNewestGood(t, candidates, precision, c);
        CheckpointMetadata meta = Checkpoints.read(from);
        if (meta.weightsOnly()) {
            throw new TrainingException("checkpoint " + from + " holds weights only (no training state); start from"
                    + " it with --pretrained instead of --resume");
        }
        long done = ((Number) meta.training().get("iteration")).longValue();
        if (done > maxIters) {
            throw new TrainingException("checkpoint " + from + " is at iteration " + done + ", beyond max_iters "
                    + maxIters);
        }
        t.resumeAt(done);
        return new ResumeState(from, done, meta.training());
    }

    private static Path restoreNewestGood(Trainer t, List<Path> candidates, Precision precision, MsegConfig c) {
        List<String> skipped = new ArrayList<>();
        CheckpointException last = null;
        for (Path p : candidates) {
            try {
                checkSamePrecision(Checkpoints.read(p), p, precision, c);
                Checkpoints.restore(p, t.session());
                if (!skipped.isEmpty()) {
                    LOG.warn("resuming from {}, the newest checkpoint that verifies; skipped: {}", p,
                            String.join("; ", skipped));
                }
                return p;
            } catch (CheckpointException e) {
                LOG.warn("skipping damaged checkpoint {}: {}", p, e.getMessage());
                skipped.add(p.getFileName() + " (" + e.getMessage() + ")");
                last = e;
            }
        }
        if (candidates.size() == 1) {
            throw new TrainingException("cannot resume: " + last.getMessage(), last);
        }
        throw new TrainingException("cannot resume: none of the " + candidates.size() + " checkpoints of "
                + candidates.get(0).getParent() + " verifies: " + String.join("; ", skipped) + ". Start afresh with"
                + " --overwrite", last);
    }

    /**
     * Refuses to resume a checkpoint in another precision. The weights are float32 in every precision, but the
     * training state is not: fp16 checkpoints hold the loss scaler, and an exact resume needs the same arithmetic.
     */
    private static void checkSamePrecision(CheckpointMetadata meta, Path dir, Precision precision, MsegConfig c) {
        Object saved = meta.training().getOrDefault("precision", Precision.FP32.configName());
        if (!precision.configName().equals(saved)) {
            throw new ConfigException("checkpoint " + dir + " was trained with TRAIN.precision " + saved + ", this run"
                    + " has " + precision.configName() + " (from " + c.where("precision") + "); resume with --set"
                    + " precision=" + saved + " (a run continues in the precision it started with)");
        }
    }

    /** A checkpoint folder as given, or the checkpoints of a run folder, newest first. */
    private static List<Path> checkpointOrRun(Path p, String option) {
        if (Files.isRegularFile(p.resolve(Checkpoints.METADATA_FILE))) {
            return List.of(p);
        }
        List<Path> all = newestFirst(p);
        if (all.isEmpty()) {
            throw new ConfigException(option + " " + p + " is neither a checkpoint folder (with "
                    + Checkpoints.METADATA_FILE + ") nor a run folder with checkpoints");
        }
        return all;
    }

    private static List<Path> newestFirst(Path runDir) {
        List<Path> all = new ArrayList<>(Checkpoints.list(runDir));
        Collections.reverse(all);
        return all;
    }
}
