package org.mseg.api.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.ConfigException;

/** Loading, flattening, overrides and printing. */
class MsegConfigTest {

    private static MsegConfig relabeled3m() {
        return BundledConfigs.load("1080_release/mseg-relabeled-3m");
    }

    @Test
    void sectionsAreFlattenedAndLaterSectionsOverwriteEqualKeys() {
        MsegConfig c = MsegConfig.parse("DATA:\n  workers: 1\nTRAIN:\n  workers: 2\n  base_lr: 0.5\n", "f.yaml");
        assertEquals(2, c.getInt("workers"));
        assertEquals(0.5, c.getDouble("TRAIN.base_lr"));
        assertEquals(0.5, c.getDouble("base_lr"));
        assertEquals("TRAIN", c.sectionsByKey().get("workers"));
        assertEquals("f.yaml line 4", c.where("workers"));
    }

    @Test
    void yamlValuesKeepUpstreamTypes() {
        MsegConfig c = relabeled3m();
        assertTrue(c.getBool("universal"));
        assertEquals(3_000_000L, c.getLong("num_examples"));
        assertEquals(-10.0, c.getDouble("rotate_min"));
        assertEquals("None", c.get("auto_resume"));
        assertEquals("O0", c.getString("opt_level"));
        assertEquals("tcp://127.0.0.1:6795", c.getString("dist_url"));
        assertTrue(c.has("weight"));
        assertNull(c.get("weight"));
        assertEquals(List.of(3), c.getMap("dataset_gpu_mapping").get("coco-panoptic-133-relabeled"));
        assertThrows(UnsupportedOperationException.class, () -> c.getList("train_gpu").add(9));
    }

    @Test
    void loadNamesTheFileAndTheLineOfASyntaxError(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("broken.yaml");
        Files.writeString(f, "DATA:\n  dataset: [bdd\nTRAIN:\n  base_lr: 0.01\n");
        ConfigException e = assertThrows(ConfigException.class, () -> MsegConfig.load(f));
        assertTrue(e.getMessage().startsWith("cannot parse " + f + " line "), e.getMessage());
        ConfigException missing = assertThrows(ConfigException.class, () -> MsegConfig.load(dir.resolve("no.yaml")));
        assertTrue(missing.getMessage().contains("no.yaml does not exist"), missing.getMessage());
    }

    @Test
    void aBinaryFileGivenAsConfigIsRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("photo.png");
        Files.write(png, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 'I', 'H'});
        ConfigException e = assertThrows(ConfigException.class, () -> MsegConfig.load(png));
        assertTrue(e.getMessage().contains(png.toString()) && e.getMessage().contains("not a YAML text file (it is a"
                + " PNG image)"), e.getMessage());
        Path latin1 = dir.resolve("latin1.yaml");
        Files.write(latin1, "DATA:\n  dataset: caf\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        e = assertThrows(ConfigException.class, () -> MsegConfig.load(latin1));
        assertTrue(e.getMessage().contains(latin1 + " is not a YAML text file (not UTF-8 text)"), e.getMessage());
    }

    @Test
    void duplicateKeysInOneSectionAreAnError() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> MsegConfig.parse("TRAIN:\n  base_lr: 0.1\n  base_lr: 0.2\n", "d.yaml"));
        assertTrue(e.getMessage().contains("d.yaml line 3"), e.getMessage());
    }

    @Test
    void topLevelMustBeAMappingOfSections() {
        assertThrows(ConfigException.class, () -> MsegConfig.parse("- a\n- b\n", "l.yaml"));
        assertThrows(ConfigException.class, () -> MsegConfig.parse("", "e.yaml"));
        assertThrows(ConfigException.class, () -> MsegConfig.parse("TRAIN: 3\n", "s.yaml"));
    }

    @Test
    void overridesAcceptFlatAndSectionQualifiedKeys() {
        MsegConfig c = relabeled3m().withOverrides(List.of("base_lr=0.02", "TRAIN.batch_size=70", "use_mgda=True"));
        assertEquals(0.02, c.getDouble("base_lr"));
        assertEquals(70, c.getInt("batch_size"));
        assertTrue(c.getBool("use_mgda"));
        assertEquals("--set TRAIN.batch_size=70", c.where("batch_size"));
        assertEquals(0.01, relabeled3m().getDouble("base_lr"), "configurations are immutable");
    }

    @Test
    void overridesParseYamlScalarsAndFlowCollections() {
        MsegConfig c = relabeled3m().withOverrides(List.of("train_gpu=[0, 1]", "save_path='/runs/x'",
                "dataset=[bdd, idd-39]", "dataset_gpu_mapping={bdd: [0], idd-39: [1]}", "rotate_max=15",
                "weight_decay=1e-4"));
        assertEquals(List.of(0, 1), c.getList("train_gpu"));
        assertEquals("/runs/x", c.getString("save_path"));
        assertEquals(List.of("bdd", "idd-39"), c.datasets());
        assertEquals(Map.of("bdd", List.of(0), "idd-39", List.of(1)), c.getMap("dataset_gpu_mapping"));
        assertEquals(15.0, c.getDouble("rotate_max"));
        assertEquals(1e-4, c.getDouble("weight_decay"));
        ConfigSchema.training().validate(c, ConfigSchemaTest.DATASETS);
    }

    @Test
    void emptyKeysCanBeSetFromTheCommandLineUnlikeUpstream() {
        MsegConfig c = relabeled3m().withOverrides(List.of("weight=/ckpt/hrnet.pth", "manual_seed=7",
                "resume=", "keep_batchnorm_fp32=True"));
        assertEquals("/ckpt/hrnet.pth", c.getString("weight"));
        assertEquals(7, c.getInt("manual_seed"));
        assertTrue(c.getOptionalString("resume").isEmpty());
        assertTrue(c.getBool("keep_batchnorm_fp32"));
    }

    @Test
    void emptyingANonNullableKeyFails() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> relabeled3m().withOverrides(List.of("batch_size=")));
        assertTrue(e.getMessage().contains("TRAIN.batch_size in --set batch_size= cannot be empty"), e.getMessage());
    }

    @Test
    void stringKeysTakeTheTextAsIs() {
        MsegConfig c = relabeled3m().withOverrides(List.of("save_path=2024", "auto_resume=None"));
        assertEquals("2024", c.getString("save_path"));
        assertEquals("None", c.getString("auto_resume"));
    }

    @Test
    void overrideTypeMustMatchTheSchema() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> relabeled3m().withOverrides(List.of("batch_size=big")));
        assertEquals("TRAIN.batch_size in --set batch_size=big: expected an integer, found 'big' (a string)",
                e.getMessage());
        ConfigException f = assertThrows(ConfigException.class,
                () -> relabeled3m().withOverrides(List.of("batch_size=3.5")));
        assertTrue(f.getMessage().contains("expected an integer, found 3.5 (a number)"), f.getMessage());
        ConfigException g = assertThrows(ConfigException.class,
                () -> relabeled3m().withOverrides(List.of("train_gpu=0")));
        assertTrue(g.getMessage().contains("expected a list of integers"), g.getMessage());
        ConfigException h = assertThrows(ConfigException.class,
                () -> relabeled3m().withOverrides(List.of("use_mgda=maybe")));
        assertTrue(h.getMessage().contains("expected a boolean"), h.getMessage());
        ConfigException p = assertThrows(ConfigException.class,
                () -> relabeled3m().withOverrides(List.of("precision=bf61")));
        assertTrue(p.getMessage().contains("did you mean bf16?"), p.getMessage());
    }

    @Test
    void unknownOverrideKeyNamesTheNearestKey() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> relabeled3m().withOverrides(List.of("bsae_lr=0.02")));
        assertEquals("unknown key bsae_lr in --set bsae_lr=0.02 — did you mean TRAIN.base_lr?", e.getMessage());
        ConfigException s = assertThrows(ConfigException.class,
                () -> relabeled3m().withOverrides(List.of("TRIAN.base_lr=0.02")));
        assertTrue(s.getMessage().contains("did you mean TRAIN?"), s.getMessage());
        ConfigException w = assertThrows(ConfigException.class,
                () -> relabeled3m().withOverrides(List.of("DATA.base_lr=0.02")));
        assertTrue(w.getMessage().contains("base_lr is in section TRAIN, not DATA"), w.getMessage());
        assertThrows(ConfigException.class, () -> relabeled3m().withOverrides(List.of("base_lr")));
    }

    @Test
    void ourOwnKeysCanBeSetAlthoughReleaseFilesLackThem() {
        MsegConfig c = relabeled3m().withOverrides(List.of("root=/data/mseg", "precision=bf16", "skip_bad=True",
                "DATA.lists=/data/lists", "keep_checkpoints=3", "tensorboard=True", "variant=tiny"));
        MsegConfig v = ConfigSchema.training().validate(c, ConfigSchemaTest.DATASETS);
        assertEquals("/data/mseg", v.getOptionalString("root").orElseThrow());
        assertEquals("bf16", v.getString("precision"));
        assertEquals("DATA", v.sectionsByKey().get("root"));
        assertEquals(3, v.getInt("keep_checkpoints"));
    }

    @Test
    void typedGettersNameTheKeyWhenTheValueDoesNotFit() {
        MsegConfig c = relabeled3m();
        ConfigException e = assertThrows(ConfigException.class, () -> c.getInt("save_path"));
        assertTrue(e.getMessage().contains("TRAIN.save_path in bundled:train/1080_release/mseg-relabeled-3m.yaml line"),
                e.getMessage());
        ConfigException empty = assertThrows(ConfigException.class, () -> c.getString("weight"));
        assertTrue(empty.getMessage().contains("TRAIN.weight is empty"), empty.getMessage());
        ConfigException absent = assertThrows(ConfigException.class, () -> c.get("bsae_lr"));
        assertTrue(absent.getMessage().contains("did you mean TRAIN.base_lr?"), absent.getMessage());
    }

    @Test
    void toYamlIsSectionedSortedAndLoadsBackToTheSameValues() {
        MsegConfig v = ConfigSchema.training().validate(relabeled3m(), ConfigSchemaTest.DATASETS);
        String yaml = v.toYaml();
        assertTrue(yaml.startsWith("DATA:\n"), yaml);
        assertTrue(yaml.indexOf("DATA:") < yaml.indexOf("TRAIN:") && yaml.indexOf("TRAIN:") < yaml.indexOf(
                "Distributed:"), yaml);
        assertTrue(yaml.contains("  train_gpu: [0, 1, 2, 3, 4, 5, 6]\n"), yaml);
        assertTrue(yaml.contains("  auto_resume: None\n"), yaml);
        assertTrue(yaml.contains("  weight_decay: 0.0001\n"), yaml);
        assertTrue(yaml.contains("  dataset: [ade20k-150-relabeled, bdd-relabeled, "), yaml);
        MsegConfig back = MsegConfig.parse(yaml, "printed.yaml");
        assertEquals(v.flat(), back.flat());
        assertEquals(v, back, "equal values and sections, whatever the source");
        assertEquals(v.flat(), ConfigSchema.training().validate(back, ConfigSchemaTest.DATASETS).flat());
    }

    @Test
    void flatIsOrderedBySectionThenKey() {
        MsegConfig c = ConfigSchema.training().validate(relabeled3m());
        List<String> keys = List.copyOf(c.flat().keySet());
        List<String> sections = List.of("DATA", "TRAIN", "Distributed");
        for (int i = 1; i < keys.size(); i++) {
            String a = keys.get(i - 1);
            String b = keys.get(i);
            int sa = sections.indexOf(c.sectionsByKey().get(a));
            int sb = sections.indexOf(c.sectionsByKey().get(b));
            assertTrue(sa < sb || sa == sb && a.compareTo(b) < 0, a + " before " + b);
        }
        assertEquals("dataset", keys.get(0));
        assertEquals("world_size", keys.get(keys.size() - 1));
    }

    @Test
    void unusedKeysAreListedOnceInSectionOrder() {
        MsegConfig c = ConfigSchema.training().validate(BundledConfigs.load("480_release/mseg-3m"));
        assertEquals(List.of("use_multiple_datasets", "batch_size_val", "epochs", "evaluate", "layers",
                "network_name", "start_epoch", "sync_bn", "workers", "zoom_factor", "dist_backend", "dist_url",
                "keep_batchnorm_fp32", "loss_scale", "multiprocessing_distributed", "rank", "use_apex", "world_size"),
                c.unusedKeys());
        assertFalse(c.unusedKeys().contains("opt_level"), "opt_level sets the precision");
    }

    @Test
    void fromMapAcceptsFlatKeysAndPlacesThemInTheirSections() {
        MsegConfig c = MsegConfig.fromMap(Map.of("base_lr", 0.1, "dataset", "single"), "map");
        assertEquals("TRAIN", c.sectionsByKey().get("base_lr"));
        assertEquals("DATA", c.sectionsByKey().get("dataset"));
        assertTrue(c.toYaml().contains("TRAIN:\n  base_lr: 0.1"), c.toYaml());
    }

    @Test
    void bundledNamesResolveWithOrWithoutPrefixAndSuffix() {
        assertEquals("bundled:train/480_release/mseg-3m.yaml", BundledConfigs.load("480_release/mseg-3m").source());
        assertEquals("bundled:train/480_release/mseg-3m.yaml",
                BundledConfigs.load("train/480_release/mseg-3m.yaml").source());
        ConfigException e = assertThrows(ConfigException.class, () -> BundledConfigs.fileOrBundled("1080_release/mseg-3m"));
        assertTrue(e.getMessage().contains("did you mean"), e.getMessage());
        for (String n : BundledConfigs.names()) {
            assertTrue(BundledConfigs.load(n).has("dataset"), n);
        }
    }
}
