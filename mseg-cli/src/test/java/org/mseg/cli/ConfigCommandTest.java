package org.mseg.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.config.BundledConfigs;
import org.mseg.api.config.ConfigSchema;
import org.mseg.api.config.MsegConfig;
import org.mseg.api.plugin.PluginEnvironment;

/** {@code mseg-cli config print|validate|keys} and the {@link ConfigOptions} mixin. */
class ConfigCommandTest {

    private static CliTest.Run run(String... args) {
        return CliTest.run(args);
    }

    @Test
    void everyReleaseConfigValidatesAndListsItsUnusedKeysOnce() {
        for (String name : BundledConfigs.releaseTrainingConfigs()) {
            CliTest.Run r = run("config", "validate", name);
            assertEquals(0, r.code(), name + ": " + r.err());
            String first = r.out().lines().findFirst().orElse("");
            assertTrue(first.matches("OK: bundled:" + name + "\\.yaml \\(\\d+ keys; unused here: .*\\)"), first);
            assertEquals(first.indexOf("dist_url"), first.lastIndexOf("dist_url"), first);
        }
    }

    @Test
    void singleConfigSaysTheDatasetIsChosenOnTheCommandLine() {
        CliTest.Run r = run("config", "validate", "1080_release/single_universal");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("note: DATA.dataset is 'single': the dataset is chosen on the command line"),
                r.out());
        CliTest.Run chosen = run("config", "validate", "1080_release/single_universal", "--set",
                "dataset=cityscapes-19");
        assertEquals(0, chosen.code(), chosen.err());
        assertFalse(chosen.out().contains("note:"), chosen.out());
        CliTest.Run printed = run("config", "print", "1080_release/single_universal", "--set", "dataset=cityscapes-19");
        assertTrue(printed.out().contains("  dataset: [cityscapes-19]\n"), printed.out());
        assertTrue(printed.out().contains("    cityscapes-19: [0, 1, 2, 3, 4, 5, 6, 7]\n"), printed.out());
    }

    @Test
    void legacyTestYamlFailsWithExitTwoNamingItsOldDatasetsAndKeys() {
        CliTest.Run r = run("config", "validate", "train/test");
        assertEquals(2, r.code(), r.out());
        for (String s : List.of("unknown dataset 'coco-panoptic-v1'", "unknown dataset 'mapillary'",
                "unknown dataset 'ade20k-v1'", "unknown dataset 'idd-new'", "unknown key DATA.finetune",
                "unknown key TRAIN.tax_version")) {
            assertTrue(r.err().contains(s), s + " in " + r.err());
        }
    }

    @Test
    void misspelledOverrideExitsTwoWithTheNearestKey() {
        CliTest.Run r = run("config", "validate", "1080_release/mseg-relabeled-3m", "--set", "bsae_lr=0.02");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown key bsae_lr in --set bsae_lr=0.02 — did you mean TRAIN.base_lr?"),
                r.err());
    }

    @Test
    void misspelledKeyInAFileExitsTwoNamingFileLineAndNearestKey(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("mine.yaml");
        Files.writeString(f, "DATA:\n  dataset: [bdd]\nTRAIN:\n  batch_size: 2\n  num_examples: 100\n"
                + "  bsae_lr: 0.02\n");
        CliTest.Run r = run("config", "validate", f.toString());
        assertEquals(2, r.code());
        assertEquals("error: unknown key TRAIN.bsae_lr in " + f + " line 6 — did you mean TRAIN.base_lr?",
                r.err().strip());
    }

    @Test
    void wrongTypeAndMissingFileExitTwo() {
        CliTest.Run t = run("config", "validate", "480_release/mseg-3m", "--set", "batch_size=many");
        assertEquals(2, t.code());
        assertTrue(t.err().contains("expected an integer, found 'many' (a string)"), t.err());
        CliTest.Run m = run("config", "validate", "/no/such/file.yaml");
        assertEquals(2, m.code());
        assertTrue(m.err().contains("/no/such/file.yaml does not exist"), m.err());
    }

    @Test
    void archMustNameAModelProvider() {
        CliTest.Run r = run("config", "validate", "1080_release/mseg-mgda", "--set", "arch=hrnte");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("TRAIN.arch in --set arch=hrnte: unknown model 'hrnte' — did you mean hrnet?"),
                r.err());
    }

    @Test
    void changingTheDatasetsAloneSaysHowToMapThemToGpus() {
        CliTest.Run r = run("config", "validate", "1080_release/mseg-relabeled-1m", "--set", "dataset=[bdd, idd-39]");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("e.g. --set dataset_gpu_mapping={bdd: [0], idd-39: [1]}"), r.err());
        CliTest.Run fixed = run("config", "validate", "1080_release/mseg-relabeled-1m", "--set",
                "dataset=[bdd, idd-39]", "--set", "dataset_gpu_mapping={bdd: [0], idd-39: [1]}");
        assertEquals(0, fixed.code(), fixed.err());
    }

    @Test
    void printShowsTheResolvedSectionedYamlWhichValidatesAgain(@TempDir Path dir) throws Exception {
        CliTest.Run r = run("config", "print", "720_release/mseg-3m", "--set", "base_lr=0.02", "--set",
                "precision=bf16");
        assertEquals(0, r.code(), r.err());
        String yaml = r.out();
        assertTrue(yaml.contains("\nDATA:\n") && yaml.contains("\nTRAIN:\n") && yaml.contains("\nDistributed:\n"),
                yaml);
        assertTrue(yaml.contains("  base_lr: 0.02\n") && yaml.contains("  precision: bf16\n"), yaml);
        assertTrue(yaml.contains("  batch_size: 49\n"), yaml);
        assertTrue(yaml.contains("# unused here: "), yaml);
        Path saved = dir.resolve("resolved.yaml");
        Files.writeString(saved, yaml);
        CliTest.Run again = run("config", "validate", saved.toString());
        assertEquals(0, again.code(), again.err());
    }

    @Test
    void rawPrintShowsAFileThatDoesNotValidate() {
        CliTest.Run r = run("config", "print", "--raw", "train/test");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("tax_version: 3.0"), r.out());
    }

    @Test
    void testConfigsValidateWithTheTestSchema() {
        for (String name : BundledConfigs.testConfigs()) {
            CliTest.Run r = run("config", "validate", name, "--set", "dataset=camvid-11");
            assertEquals(0, r.code(), name + ": " + r.err());
        }
    }

    @Test
    void keysListsEveryKeyWithItsUse() {
        CliTest.Run r = run("config", "keys");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("TRAIN\\.base_lr\\s+float\\s+0\\.01\\s+yes\\s+.*")),
                r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("Distributed\\.dist_url\\s+string\\s+no\\s+.*")), r.out());
        CliTest.Run t = run("config", "keys", "--test");
        assertTrue(t.out().contains("TEST.scales"), t.out());
    }

    @Test
    void validateRefusesOutOfRangeValuesNamingKeyValueAndAllowedRange() {
        for (String[] c : new String[][] {{"base_lr=-0.01", "TRAIN.base_lr", "-0.01", "a finite number > 0"},
                {"base_lr=.nan", "TRAIN.base_lr", ".nan", "a finite number > 0"},
                {"base_lr=.inf", "TRAIN.base_lr", ".inf", "a finite number > 0"},
                {"momentum=-5", "TRAIN.momentum", "-5", "a number in [0, 1)"},
                {"keep_checkpoints=-1", "TRAIN.keep_checkpoints", "-1", "an integer >= 0"}}) {
            CliTest.Run r = run("config", "validate", "1080_release/mseg-relabeled-1m", "--set", c[0]);
            assertEquals(2, r.code(), c[0] + ": " + r.out());
            assertTrue(r.err().contains(c[1] + " in --set " + c[0] + " is " + c[2] + "; allowed: " + c[3]),
                    r.err());
        }
    }

    @Test
    void aBinaryFileGivenAsConfigIsAClearErrorNamingIt(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("street.png");
        Files.write(png, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d});
        CliTest.Run r = run("config", "validate", png.toString());
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains("configuration file " + png + " is not a YAML text file (it is a PNG image)"),
                r.err());
        assertFalse(r.err().contains("unexpected failure"), r.err());
    }

    @Test
    void configWithoutSubcommandIsAUsageError() {
        assertEquals(2, run("config").code());
        assertEquals(0, run("config", "--help").code());
    }

    @Test
    void configOptionsResolveFileAndOverridesForOtherCommands() {
        ConfigOptions o = new ConfigOptions();
        o.config = "1080_release/mseg-relabeled-1m";
        o.overrides = List.of("base_lr=0.005", "save_path=/runs/a");
        MsegConfig c = o.resolve(ConfigSchema.training(), PluginEnvironment.boot());
        assertEquals(0.005, c.getDouble("base_lr"));
        assertEquals("/runs/a", c.getString("save_path"));
        assertEquals(7, c.datasets().size());
        ConfigOptions none = new ConfigOptions();
        org.mseg.api.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.mseg.api.ConfigException.class, () -> none.resolve(ConfigSchema.training(),
                        PluginEnvironment.boot()));
        assertTrue(e.getMessage().contains("missing --config FILE"), e.getMessage());
    }
}
