package org.mseg.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.mseg.api.ConfigException;
import java.util.Map;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.engine.checkpoint.CheckpointMetadata;
import org.mseg.engine.checkpoint.Checkpoints;
import org.mseg.engine.TrainingRun;
import org.mseg.pytorch.LazyStateDict;

/** Resolves a {@code --checkpoint} argument: a checkpoint folder, or a run folder (its newest checkpoint). */
final class CheckpointOption {
    private CheckpointOption() {
    }

    static Path resolve(Path given) {
        if (Files.isRegularFile(given.resolve(Checkpoints.METADATA_FILE))) {
            return given;
        }
        if (Files.isDirectory(given)) {
            return Checkpoints.latest(given).orElseThrow(() -> new ConfigException("--checkpoint " + given
                    + " holds neither " + Checkpoints.METADATA_FILE + " nor a " + Checkpoints.CHECKPOINTS_FOLDER
                    + "/" + Checkpoints.ITERATION_PREFIX + "<n> folder. Pass a checkpoint folder (from train, or"
                    + " 'mseg-cli model import' for MSeg's PyTorch weights) or a run folder."));
        }
        if (Files.isRegularFile(given)) {
            throw new ConfigException("--checkpoint " + given + " is a file; a checkpoint is a folder holding "
                    + Checkpoints.METADATA_FILE + ". " + importHint(given));
        }
        throw new ConfigException("--checkpoint " + given + " does not exist. Pass a checkpoint folder or a run"
                + " folder.");
    }

    /**
     * For a PyTorch file, the exact {@code model import} command, with the width and class count read from its
     * state dict (shapes only; no tensor is read).
     */
    static String importHint(Path file) {
        String out = outFolder(file);
        try (LazyStateDict sd = LazyStateDict.open(file)) {
            Map<String, long[]> shapes = sd.shapes();
            long[] head = shapes.get("last_layer.3.weight");
            long[] branch = shapes.get("transition1.0.0.weight");
            String classes = head == null ? "N" : Long.toString(head[0]);
            String shape = branch != null && RELEASED_WIDTHS.contains(branch[0]) ? "--width " + branch[0]
                    : "--spec SPEC.json" + (branch == null ? "" : " (width " + branch[0] + " is not 18, 32 or 48)");
            return "It is a PyTorch checkpoint: import it first with 'mseg-cli model import --from " + file + " "
                    + shape + " --num-classes " + classes + " --out " + out
                    + "', then pass --checkpoint " + out + ".";
        } catch (RuntimeException e) {
            return "If it holds PyTorch weights (.pth), import them first with 'mseg-cli model import --from " + file
                    + " --width 48 --num-classes 194 --out " + out + "' (MSeg's released models) and pass"
                    + " --checkpoint " + out + "; reading it as PyTorch failed: " + e.getMessage();
        }
    }

    private static final java.util.Set<Long> RELEASED_WIDTHS = java.util.Set.of(18L, 32L, 48L);

    /**
     * A warning naming the plugin modules a checkpoint's training run had loaded ({@code checkpoint.json}, training
     * field {@code plugins}) that this command has not; empty when all are present or none was recorded.
     */
    static java.util.Optional<String> missingPlugins(Path checkpoint, CheckpointMetadata meta, PluginEnvironment env) {
        if (!(meta.training().get(TrainingRun.PLUGINS_KEY) instanceof java.util.List<?> recorded)) {
            return java.util.Optional.empty();
        }
        java.util.List<String> missing = recorded.stream().map(String::valueOf)
                .filter(m -> env.layer().findModule(m.contains("@") ? m.substring(0, m.indexOf('@')) : m).isEmpty())
                .toList();
        if (missing.isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("checkpoint " + checkpoint + " was trained with plugin modules " + missing
                + " that are not loaded now; its datasets or taxonomy may be unknown. Add the plugin jars with"
                + " --plugin-dir DIR or MSEG_PLUGIN_PATH (plugin folders now: " + (env.pluginJars().isEmpty()
                        ? "none with jars" : env.pluginJars()) + ").");
    }

    /** {@code model.pth} → {@code model} beside it. */
    private static String outFolder(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name + "-checkpoint";
        Path parent = file.getParent();
        return (parent == null ? Path.of(stem) : parent.resolve(stem)).toString();
    }
}
