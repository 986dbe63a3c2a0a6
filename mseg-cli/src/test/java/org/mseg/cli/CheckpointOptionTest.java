package org.mseg.cli;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.ConfigException;

/** {@code --checkpoint} of evaluate and infer. */
class CheckpointOptionTest {
    private static final Path TINY_PTH = Path.of("..", "mseg-hrnet-tf", "src", "test", "resources", "fixtures",
            "tiny-33x33", "model.pth");

    @Test
    void aPytorchFileGetsTheExactImportCommand() {
        ConfigException e = assertThrows(ConfigException.class, () -> CheckpointOption.resolve(TINY_PTH));
        String m = e.getMessage();
        assertTrue(!m.contains("does not exist"), m);
        Path out = TINY_PTH.getParent().resolve("model");
        assertTrue(m.contains("mseg-cli model import --from " + TINY_PTH + " --spec SPEC.json (width 8 is not 18, 32"
                + " or 48) --num-classes 5 --out " + out), m);
        assertTrue(m.contains("then pass --checkpoint " + out), m);
    }

    @Test
    void inferWithAPthFileSaysHowToImportIt() {
        CliTest.Run r = CliTest.run("infer", "--checkpoint", TINY_PTH.toString(), "x.jpg");
        assertTrue(r.code() == MsegCommand.USAGE, r.err());
        assertTrue(r.err().contains("mseg-cli model import --from " + TINY_PTH), r.err());
    }

    @Test
    void aFileThatIsNotPytorchStillSuggestsTheImport(@TempDir Path tmp) throws Exception {
        Path text = Files.writeString(tmp.resolve("weights.bin"), "not a checkpoint");
        ConfigException e = assertThrows(ConfigException.class, () -> CheckpointOption.resolve(text));
        assertTrue(e.getMessage().contains("mseg-cli model import --from " + text + " --width 48 --num-classes 194"
                + " --out " + tmp.resolve("weights")), e.getMessage());
    }

    @Test
    void aCheckpointTrainedWithPluginsThatAreNotLoadedNamesThem() {
        org.mseg.engine.checkpoint.CheckpointMetadata meta = TestCheckpoints.metadata(
                TestCheckpoints.tinyHrnet(2), "farm-2", java.util.List.of("a", "b"))
                .withTraining(java.util.Map.of("plugins", java.util.List.of("org.example.farm@1.2", "org.mseg.api")));
        org.mseg.api.plugin.PluginEnvironment env = org.mseg.api.plugin.PluginEnvironment.boot();
        String w = CheckpointOption.missingPlugins(Path.of("runs/r"), meta, env).orElseThrow();
        assertTrue(w.contains("[org.example.farm@1.2]") && w.contains("--plugin-dir") && w.contains("MSEG_PLUGIN_PATH"),
                w);
        assertTrue(CheckpointOption.missingPlugins(Path.of("runs/r"), meta.withTraining(java.util.Map.of(
                "plugins", java.util.List.of("org.mseg.api"))), env).isEmpty());
        assertTrue(CheckpointOption.missingPlugins(Path.of("runs/r"), meta.withTraining(java.util.Map.of()), env)
                .isEmpty());
    }
}
