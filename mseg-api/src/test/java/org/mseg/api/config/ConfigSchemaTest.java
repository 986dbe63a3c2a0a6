package org.mseg.api.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mseg.api.ConfigException;

/** The shipped release configs validate unchanged; errors name the key and the fix. */
class ConfigSchemaTest {
    /** Dataset names of MSEG.md a.1 that the registry knows. */
    static final Set<String> DATASETS = Set.of("ade20k-150", "ade20k-150-relabeled", "ade20k-151", "bdd",
            "bdd-relabeled", "cityscapes-19", "cityscapes-19-relabeled", "cityscapes-34", "cityscapes-34-relabeled",
            "coco-panoptic-133", "coco-panoptic-133-relabeled", "idd-39", "idd-39-relabeled", "mapillary-public65",
            "mapillary-public65-relabeled", "sunrgbd-37", "sunrgbd-37-relabeled", "camvid-11", "kitti-19",
            "pascal-context-60", "scannet-20", "voc2012", "wilddash-19");

    static final List<String> RELABELED = List.of("ade20k-150-relabeled", "bdd-relabeled", "cityscapes-19-relabeled",
            "coco-panoptic-133-relabeled", "idd-39-relabeled", "mapillary-public65-relabeled", "sunrgbd-37-relabeled");

    static List<String> releaseConfigs() {
        return BundledConfigs.releaseTrainingConfigs();
    }

    static List<String> testConfigs() {
        return BundledConfigs.testConfigs();
    }

    @Test
    void nineReleaseConfigsAndNineTestConfigsAreShipped() {
        assertEquals(9, releaseConfigs().size());
        assertEquals(9, testConfigs().size());
    }

    @ParameterizedTest
    @MethodSource("allBundled")
    void bundledCopiesMatchTheReferenceFilesWhereTheCheckoutHasThem(String name) throws Exception {
        Path reference = Path.of("../../shared/reference/data/config", name + ".yaml");
        Assumptions.assumeTrue(Files.isRegularFile(reference), "no reference checkout next to this one");
        try (InputStream in = BundledConfigs.class.getResourceAsStream("data-config/" + name + ".yaml")) {
            assertEquals(Files.readString(reference), new String(in.readAllBytes(), StandardCharsets.UTF_8), name);
        }
    }

    /** The copies of upstream's files; {@code demo} is this port's own and has no reference to match. */
    static List<String> allBundled() {
        return BundledConfigs.names().stream().filter(n -> !n.equals("demo")).toList();
    }

    @ParameterizedTest
    @MethodSource("releaseConfigs")
    void everyReleaseConfigValidatesUnchanged(String name) {
        MsegConfig c = ConfigSchema.training().validate(BundledConfigs.load(name), DATASETS);
        assertEquals("fp32", c.getString("precision"), "opt_level O0 means fp32");
        assertTrue(c.unusedKeys().containsAll(List.of("dist_url", "use_apex", "workers", "epochs")), c.unusedKeys()
                .toString());
        assertEquals(0.01, c.getDouble("base_lr"));
        if (name.contains("single_")) {
            assertTrue(c.notes().stream().anyMatch(n -> n.contains("the dataset is chosen on the command line")),
                    c.notes().toString());
        } else {
            assertEquals(7, c.datasets().size());
            assertEquals(c.datasets(), List.copyOf(c.getMap("dataset_gpu_mapping").keySet()));
            assertTrue(c.notes().isEmpty(), c.notes().toString());
        }
    }

    @Test
    void releaseConfigsCarryTheMatrixOfMseg() {
        MsegConfig m480 = ConfigSchema.training().validate(BundledConfigs.load("480_release/mseg-3m"), DATASETS);
        assertEquals(84, m480.getInt("batch_size"));
        assertEquals(473, m480.getInt("train_h"));
        assertEquals(3_000_000, m480.getLong("num_examples"));
        assertEquals(RELABELED, m480.datasets());
        MsegConfig naive = ConfigSchema.training().validate(BundledConfigs.load("1080_release/mseg-naive-baseline"));
        assertTrue(naive.getBool("use_naive_taxonomy"));
        assertEquals(28, naive.getInt("batch_size"));
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), naive.getList("train_gpu"));
        assertEquals("None", naive.getString("auto_resume"), "None is a string, as upstream");
        assertEquals("default", naive.getString("save_path"));
        assertTrue(naive.getOptionalString("weight").isEmpty());
        assertTrue(naive.getOptionalLong("manual_seed").isEmpty());
    }

    @Test
    void singleConfigIsResolvedByChoosingTheDatasetOnTheCommandLine() {
        MsegConfig raw = BundledConfigs.load("1080_release/single_oracle");
        MsegConfig unresolved = ConfigSchema.training().validate(raw, DATASETS);
        ConfigException e = assertThrows(ConfigException.class, unresolved::datasets);
        assertTrue(e.getMessage().contains("--set dataset=NAME"), e.getMessage());

        MsegConfig c = ConfigSchema.training().validate(raw.withOverrides(List.of("dataset=cityscapes-19")), DATASETS);
        assertEquals(List.of("cityscapes-19"), c.datasets());
        assertEquals(Map.of("cityscapes-19", List.of(0, 1, 2, 3, 4, 5, 6, 7)), c.getMap("dataset_gpu_mapping"));
        assertFalse(c.getBool("universal"));
        assertTrue(c.notes().isEmpty());

        ConfigException typo = assertThrows(ConfigException.class, () -> ConfigSchema.training()
                .validate(raw.withOverrides(List.of("dataset=cityscape-19")), DATASETS));
        assertTrue(typo.getMessage().contains("unknown dataset 'cityscape-19'"), typo.getMessage());
        assertTrue(typo.getMessage().contains("did you mean 'cityscapes-19'?"), typo.getMessage());
    }

    @Test
    void legacyTestYamlFailsNamingItsOldDatasetsAndUnknownKeys() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigSchema.training().validate(BundledConfigs.load("train/test"), DATASETS));
        String m = e.getMessage();
        for (String old : List.of("coco-panoptic-v1", "mapillary", "ade20k-v1", "idd-new", "cityscapes")) {
            assertTrue(m.contains("unknown dataset '" + old + "'"), m);
        }
        assertTrue(m.contains("unknown dataset 'mapillary' in DATA.dataset of bundled:train/test.yaml line 2 — a"
                + " pre-release name; the release calls it 'mapillary-public65'"), m);
        assertTrue(m.contains("unknown key DATA.finetune in bundled:train/test.yaml line 6"), m);
        assertTrue(m.contains("unknown key TRAIN.tax_version"), m);
        assertFalse(m.contains("'sunrgbd-37'"), "sunrgbd-37 and bdd still exist: " + m);
    }

    @Test
    void legacyTestYamlFailsOnItsKeysEvenWithoutADatasetRegistry() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigSchema.training().validate(BundledConfigs.load("train/test")));
        assertTrue(e.getMessage().startsWith("2 problems in bundled:train/test.yaml"), e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("testConfigs")
    void everyTestConfigValidatesWithTheTestSchema(String name) {
        MsegConfig c = ConfigSchema.test().validate(BundledConfigs.load(name), DATASETS);
        assertTrue(c.getList("scales").contains(1.0), c.getList("scales").toString());
        assertTrue(c.getInt("test_h") == 473 || c.getInt("test_h") == 593 || c.getInt("test_h") == 713);
        assertTrue(c.unusedKeys().contains("workers"));
        assertTrue(c.notes().stream().anyMatch(n -> n.contains("chosen on the command line")));
        MsegConfig chosen = ConfigSchema.test().validate(
                BundledConfigs.load(name).withOverrides(List.of("dataset=camvid-11", "model_path=/m/mseg-3m.pth")),
                DATASETS);
        assertEquals(List.of("camvid-11"), chosen.datasets());
        assertEquals("/m/mseg-3m.pth", chosen.getString("model_path"));
    }

    @Test
    void testConfigsAreNotTrainingConfigs() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigSchema.training().validate(BundledConfigs.load("test/default_config_1080_ss")));
        assertTrue(e.getMessage().contains("unknown section TEST") || e.getMessage().contains("unknown key TEST."),
                e.getMessage());
    }

    @Test
    void misspelledKeyNamesTheNearestValidKeyAndTheLine() {
        MsegConfig c = MsegConfig.parse("DATA:\n  dataset: [bdd]\nTRAIN:\n  bsae_lr: 0.02\n  batch_size: 2\n"
                + "  num_examples: 100\n", "my.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigSchema.training().validate(c));
        assertEquals("unknown key TRAIN.bsae_lr in my.yaml line 4 — did you mean TRAIN.base_lr?", e.getMessage());
    }

    @Test
    void unknownKeyFarFromAnyKnownKeySaysToRemoveIt() {
        MsegConfig c = minimal().with("TRAIN.frobnicate_everything", 1);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigSchema.training().validate(c));
        assertTrue(e.getMessage().contains("unknown key TRAIN.frobnicate_everything"), e.getMessage());
        assertTrue(e.getMessage().contains("remove it"), e.getMessage());
    }

    @Test
    void misspelledSectionIsHinted() {
        MsegConfig c = MsegConfig.parse("DATA:\n  dataset: [bdd]\nTRIAN:\n  batch_size: 2\n", "s.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigSchema.training().validate(c));
        assertTrue(e.getMessage().contains("unknown section TRIAN in s.yaml line 3 — did you mean TRAIN?"),
                e.getMessage());
    }

    @Test
    void readLimitsDefaultToMsegSizedImagesAndConfinedPathsAndMustBePositive() {
        MsegConfig c = ConfigSchema.training().validate(minimal());
        assertEquals(8192L * 8192L, c.getLong("max_image_pixels"));
        assertFalse(c.getBool("permit_paths_outside_root"));
        assertEquals(100_000_000L, ConfigSchema.training().validate(minimal().with("DATA.max_image_pixels",
                100_000_000)).getLong("max_image_pixels"));
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigSchema.training().validate(minimal().with("DATA.max_image_pixels", 0)));
        assertTrue(e.getMessage().contains("DATA.max_image_pixels"), e.getMessage());
        assertTrue(e.getMessage().contains("is 0; allowed: an integer > 0"), e.getMessage());
    }

    @Test
    void wrongTypeNamesKeyExpectedAndFound() {
        MsegConfig c = minimal().with("TRAIN.base_lr", "fast");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigSchema.training().validate(c));
        assertTrue(e.getMessage().contains("TRAIN.base_lr"), e.getMessage());
        assertTrue(e.getMessage().contains("expected a number, found 'fast' (a string)"), e.getMessage());
        ConfigException flag = assertThrows(ConfigException.class,
                () -> ConfigSchema.training().validate(minimal().with("use_mgda", "yes please")));
        assertTrue(flag.getMessage().contains("DATA.use_mgda"), flag.getMessage());
    }

    @Test
    void missingRequiredKeysAreNamed() {
        MsegConfig c = MsegConfig.fromMap(Map.of("DATA", Map.of("dataset", List.of("bdd"))), "m.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigSchema.training().validate(c));
        assertTrue(e.getMessage().contains("missing key TRAIN.num_examples in m.yaml"), e.getMessage());
        assertTrue(e.getMessage().contains("missing key TRAIN.batch_size in m.yaml"), e.getMessage());
    }

    @Test
    void emptyValueOfANonNullableKeyIsAnError() {
        MsegConfig c = minimal().with("batch_size", null);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigSchema.training().validate(c));
        assertTrue(e.getMessage().contains("TRAIN.batch_size") && e.getMessage().contains("is empty"), e.getMessage());
    }

    @Test
    void gpuMappingMustNameTheSameDatasets() {
        MsegConfig c = minimal().with("dataset", List.of("bdd", "idd-39"))
                .with("train_gpu", List.of(0, 1)).with("dataset_gpu_mapping", Map.of("bdd", List.of(0), "idd-40",
                        List.of(1)));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigSchema.training().validate(c));
        assertEquals("DATA.dataset (minimal.yaml (set by the program)) and TRAIN.dataset_gpu_mapping (minimal.yaml"
                + " (set by the program)) must name the same datasets; only the mapping names 'idd-40' (did you mean"
                + " 'idd-39'?); no GPU rank for 'idd-39' — e.g. --set dataset_gpu_mapping={bdd: [0], idd-39: [1]}",
                e.getMessage());
    }

    @Test
    void gpuRanksMustExistAndTrainOneDatasetEach() {
        MsegConfig c = minimal().with("dataset", List.of("bdd", "idd-39")).with("train_gpu", List.of(0, 1))
                .with("dataset_gpu_mapping", Map.of("bdd", List.of(0, 1), "idd-39", List.of(1, 2)));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigSchema.training().validate(c));
        assertTrue(e.getMessage().contains("gives GPU rank 1 to both"), e.getMessage());
        assertTrue(e.getMessage().contains("uses GPU rank 2 but TRAIN.train_gpu has 2 GPUs"), e.getMessage());
    }

    @Test
    void cropSizeMustSuitTheOutputStride() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigSchema.training().validate(minimal().with("train_h", 512)));
        assertTrue(e.getMessage().contains("TRAIN.train_h") && e.getMessage().contains("8·k + 1"), e.getMessage());
    }

    @Test
    void defaultsAreFilledAndReportedAsDefaults() {
        MsegConfig c = ConfigSchema.training().validate(minimal());
        assertEquals(0.01, c.getDouble("base_lr"));
        assertEquals("w48", c.getString("variant"));
        assertFalse(c.getBool("skip_bad"));
        assertEquals("fp32", c.getString("precision"));
        assertTrue(c.getOptionalString("root").isEmpty());
        assertEquals(Set.of("dataset", "batch_size", "num_examples"), c.explicitKeys());
        assertTrue(c.unusedKeys().isEmpty(), "unused keys are never added as defaults");
    }

    @Test
    void precisionComesFromOptLevelUnlessSet() {
        assertEquals("fp16", ConfigSchema.training().validate(minimal().with("opt_level", "O1")).getString("precision"));
        assertEquals("bf16", ConfigSchema.training()
                .validate(minimal().with("opt_level", "O1").with("precision", "bf16")).getString("precision"));
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigSchema.training().validate(minimal().with("precision", "fp8")));
        assertTrue(e.getMessage().contains("expected one of fp32, bf16, fp16, fp16-pure"), e.getMessage());
    }

    @Test
    void devicesDefaultToCpuAndAMalformedSpecNamesTheKeyAndTheForms() {
        assertEquals("cpu", ConfigSchema.training().validate(minimal()).getString("devices"));
        for (String ok : List.of("cpu", "CPU", "cpu:4", " gpu ", "gpu:0", "gpu : 0, 2 ,3")) {
            assertEquals(ok, ConfigSchema.training().validate(minimal().with("devices", ok)).getString("devices"));
        }
        for (String bad : List.of("tpu", "cpu:0", "cpu:", "gpu:0,", "gpu:a", "cpu,gpu", "")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> ConfigSchema.training().validate(minimal().with("devices", bad, "--devices")), bad);
            assertTrue(e.getMessage().contains("TRAIN.devices in --devices is '" + bad + "'")
                    && e.getMessage().contains("gpu:I,J,..."), e.getMessage());
        }
    }

    @Test
    void strategyKeysAreAcceptedOnlyWhenDeclared() {
        MsegConfig c = minimal().with("TRAIN.mgda_mode", "l2");
        assertThrows(ConfigException.class, () -> ConfigSchema.training().validate(c));
        ConfigSchema schema = ConfigSchema.training().withExtraKeys(Set.of("TRAIN.mgda_mode", "TRAIN.ccsa_alpha"));
        assertEquals("l2", schema.validate(c).getString("mgda_mode"));
        MsegConfig flat = minimal().withOverrides(List.of("ccsa_alpha=0.25"), schema);
        assertEquals(0.25, schema.validate(flat).getDouble("TRAIN.ccsa_alpha"));
        assertThrows(ConfigException.class, () -> ConfigSchema.training().withExtraKeys(Set.of("mgda_mode")));
    }

    @Test
    void numbersWrittenWithoutADotAreNumbers() {
        MsegConfig c = ConfigSchema.training().validate(minimal().with("weight_decay", "1e-4"));
        assertEquals(1e-4, c.getDouble("weight_decay"));
    }

    @Test
    void everyKeyHasADocAndTheListsOfMsegC2AreComplete() {
        List<String> c2 = List.of("dataset", "universal", "use_mgda", "use_multiple_datasets", "use_naive_taxonomy",
                "arch", "network_name", "layers", "sync_bn", "train_h", "train_w", "scale_min", "scale_max",
                "short_size", "rotate_min", "rotate_max", "zoom_factor", "ignore_label", "aux_weight", "num_examples",
                "train_gpu", "dataset_gpu_mapping", "workers", "batch_size", "batch_size_val", "base_lr", "epochs",
                "start_epoch", "power", "momentum", "weight_decay", "manual_seed", "print_freq", "save_freq",
                "save_path", "weight", "init_model_path", "resume", "auto_resume", "evaluate", "dist_url",
                "dist_backend", "multiprocessing_distributed", "world_size", "rank", "use_apex", "opt_level",
                "keep_batchnorm_fp32", "loss_scale", "root", "lists", "skip_bad", "precision", "variant",
                "keep_checkpoints", "tensorboard");
        for (String k : c2) {
            assertTrue(ConfigSchema.training().find(k).isPresent(), k);
        }
        assertEquals("TRAIN", ConfigSchema.training().find("use_naive_taxonomy").orElseThrow().section(),
                "the release files put it in TRAIN");
        assertEquals("Distributed", ConfigSchema.training().find("opt_level").orElseThrow().section());
        for (ConfigSchema s : List.of(ConfigSchema.training(), ConfigSchema.test())) {
            s.keys().forEach(k -> assertFalse(k.doc().isBlank(), k.name()));
        }
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"-0.01", "0", ".nan", ".inf", "-.inf"})
    void learningRateMustBeAFinitePositiveNumber(String value) {
        MsegConfig c = minimal().withOverrides(List.of("base_lr=" + value), ConfigSchema.training());
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigSchema.training().validate(c));
        assertTrue(e.getMessage().contains("TRAIN.base_lr in --set base_lr=" + value + " is "), e.getMessage());
        assertTrue(e.getMessage().contains("allowed: a finite number > 0"), e.getMessage());
    }

    @Test
    void momentumMustBeInZeroToOneAndKeepCheckpointsNotNegative() {
        for (String bad : List.of("momentum=-5", "momentum=1.0", "momentum=.nan")) {
            MsegConfig c = minimal().withOverrides(List.of(bad), ConfigSchema.training());
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigSchema.training().validate(c), bad);
            assertTrue(e.getMessage().contains("TRAIN.momentum") && e.getMessage().contains("allowed: a number in"
                    + " [0, 1)"), e.getMessage());
        }
        assertEquals(0.0, ConfigSchema.training().validate(minimal().with("momentum", 0.0)).getDouble("momentum"));
        MsegConfig keep = minimal().withOverrides(List.of("keep_checkpoints=-1"), ConfigSchema.training());
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigSchema.training().validate(keep));
        assertTrue(e.getMessage().contains("TRAIN.keep_checkpoints in --set keep_checkpoints=-1 is -1; allowed: an"
                + " integer >= 0"), e.getMessage());
    }

    @Test
    void everyOutOfRangeValueIsReportedTogetherWithItsKey() {
        MsegConfig c = minimal().with("weight_decay", -1e-4).with("power", Double.POSITIVE_INFINITY)
                .with("scale_min", 0.0).with("ignore_label", -1).with("train_gpu", List.of(0, -1))
                .with("batch_size", 0).with("aux_weight", Double.NaN).with("train_h", -7);
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigSchema.training().validate(c));
        for (String key : List.of("TRAIN.weight_decay", "TRAIN.power", "TRAIN.scale_min", "TRAIN.ignore_label",
                "TRAIN.train_gpu", "TRAIN.batch_size", "TRAIN.aux_weight", "TRAIN.train_h")) {
            assertTrue(e.getMessage().contains(key + " in "), key + ": " + e.getMessage());
        }
        assertTrue(e.getMessage().startsWith("8 problems"), e.getMessage());
    }

    @Test
    void everyNumberKeyThisPortReadsDeclaresARange() {
        for (ConfigSchema s : List.of(ConfigSchema.training(), ConfigSchema.test())) {
            for (ConfigKey k : s.keys()) {
                boolean number = k.type() == KeyType.INT || k.type() == KeyType.FLOAT
                        || k.type() == KeyType.FLOAT_LIST || k.type() == KeyType.INT_LIST;
                if (number && k.applies() && !k.name().equals("manual_seed")) {
                    assertTrue(k.range().isPresent(), s.kind() + " key " + k.qualifiedName() + " has no range");
                }
            }
        }
    }

    @Test
    void tensorBoardIsOnByDefault() {
        assertTrue(ConfigSchema.training().validate(minimal()).getBool("tensorboard"));
    }

    /** The smallest valid training configuration. */
    static MsegConfig minimal() {
        return MsegConfig.fromMap(Map.of("DATA", Map.of("dataset", List.of("bdd")),
                "TRAIN", Map.of("batch_size", 2, "num_examples", 1000)), "minimal.yaml");
    }
}
