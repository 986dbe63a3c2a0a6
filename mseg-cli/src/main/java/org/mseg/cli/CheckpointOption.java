package org.mseg.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.mseg.api.ConfigException;
import org.mseg.hrnet.checkpoint.Checkpoints;

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
        throw new ConfigException("--checkpoint " + given + " does not exist. Pass a checkpoint folder or a run"
                + " folder.");
    }
}
