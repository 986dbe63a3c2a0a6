package org.mseg.datasets;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.mseg.api.ConfigException;
import org.mseg.api.DatasetException;
import org.mseg.api.dataset.DatasetDefinition;

/**
 * The folder holding all datasets (upstream {@code ${MSEG_DST_DIR}/mseg_dataset}), with one subfolder per dataset as
 * given by {@link DatasetDefinition#folder()}.
 *
 * @param path the data root folder
 */
public record DataRoot(Path path) {
    /** Environment variable consulted when no {@code --data-root} is given. */
    public static final String ENV = "MSEG_DATA_ROOT";

    public DataRoot {
        Objects.requireNonNull(path, "path");
    }

    /**
     * Resolves the data root: the {@code --data-root} option if given, else {@value #ENV} from the environment.
     *
     * @param option      value of {@code --data-root}, if given
     * @param environment the process environment (usually {@link System#getenv()})
     * @throws ConfigException if neither is set, the value is not a path, or the folder does not exist
     */
    public static DataRoot resolve(Optional<String> option, Map<String, String> environment) {
        String origin;
        String value;
        if (option.isPresent()) {
            origin = "--data-root";
            value = option.get();
        } else if (environment.containsKey(ENV) && !environment.get(ENV).isBlank()) {
            origin = "environment variable " + ENV;
            value = environment.get(ENV);
        } else {
            throw new ConfigException("No data root given. Pass --data-root <folder> or set " + ENV
                    + " to the folder holding the datasets (upstream ${MSEG_DST_DIR}/mseg_dataset).");
        }
        Path path;
        try {
            path = Path.of(value.strip());
        } catch (InvalidPathException e) {
            throw new ConfigException(origin + " '" + value + "' is not a valid path: " + e.getMessage() + ".", e);
        }
        if (!Files.isDirectory(path)) {
            throw new ConfigException(origin + " '" + value + "' is not an existing folder. Point it at the folder"
                    + " holding the datasets (upstream ${MSEG_DST_DIR}/mseg_dataset).");
        }
        return new DataRoot(path);
    }

    /** The dataset's folder under this root; it need not exist. */
    public Path folderOf(DatasetDefinition dataset) {
        return path.resolve(dataset.folder());
    }

    /**
     * The dataset's folder under this root.
     *
     * @throws DatasetException if the folder does not exist; names the folder and the fix
     */
    public Path existingFolderOf(DatasetDefinition dataset) {
        Path folder = folderOf(dataset);
        if (!Files.isDirectory(folder)) {
            throw new DatasetException("Folder of dataset '" + dataset.name() + "' not found: " + folder
                    + ". Download and prepare it (MSeg's download scripts) under the data root " + path
                    + ", or fix --data-root / " + ENV + ".");
        }
        return folder;
    }
}
