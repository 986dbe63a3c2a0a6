package org.mseg.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.ConfigException;
import org.mseg.api.DatasetException;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.dataset.LabelEncoding;
import org.mseg.api.dataset.SplitDefinition;

class DataRootTest {
    @TempDir
    Path dir;

    private static final DatasetDefinition CITYSCAPES = new DatasetDefinition("cityscapes-19", "cityscapes-19",
            "Cityscapes", List.of(SplitDefinition.labeled("val")), LabelEncoding.GRAY8, "test");

    @Test
    void theOptionWinsOverTheEnvironment() {
        DataRoot root = DataRoot.resolve(Optional.of(dir.toString()), Map.of(DataRoot.ENV, "/does/not/exist"));
        assertEquals(dir, root.path());
        assertEquals(dir.resolve("Cityscapes"), root.folderOf(CITYSCAPES));
    }

    @Test
    void theEnvironmentIsUsedWithoutTheOption() {
        assertEquals(dir, DataRoot.resolve(Optional.empty(), Map.of("MSEG_DATA_ROOT", dir.toString())).path());
    }

    @Test
    void neitherGivenSaysHowToFixIt() {
        ConfigException e = assertThrows(ConfigException.class, () -> DataRoot.resolve(Optional.empty(), Map.of()));
        assertTrue(e.getMessage().contains("--data-root") && e.getMessage().contains("MSEG_DATA_ROOT"),
                e.getMessage());
    }

    @Test
    void aMissingRootOrDatasetFolderIsNamed() throws IOException {
        String missing = dir.resolve("nope").toString();
        ConfigException e = assertThrows(ConfigException.class,
                () -> DataRoot.resolve(Optional.empty(), Map.of(DataRoot.ENV, missing)));
        assertTrue(e.getMessage().contains("environment variable MSEG_DATA_ROOT") && e.getMessage().contains(missing),
                e.getMessage());
        DataRoot root = new DataRoot(dir);
        DatasetException d = assertThrows(DatasetException.class, () -> root.existingFolderOf(CITYSCAPES));
        assertTrue(d.getMessage().contains(dir.resolve("Cityscapes").toString()), d.getMessage());
        Files.createDirectories(dir.resolve("Cityscapes"));
        assertEquals(dir.resolve("Cityscapes"), root.existingFolderOf(CITYSCAPES));
    }
}
