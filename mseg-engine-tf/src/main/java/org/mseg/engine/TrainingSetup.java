package org.mseg.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mseg.api.ConfigException;
import org.mseg.api.MsegException;
import org.mseg.api.config.ConfigSchema;
import org.mseg.api.config.IterationBudget;
import org.mseg.api.config.MsegConfig;
import org.mseg.api.config.Precision;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.model.ModelProvider;
import org.mseg.api.model.ModelSpec;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.taxonomy.TaxonomyDefinition;
import org.mseg.api.train.TrainingStrategyProvider;
import org.mseg.datasets.ReadPolicy;
import org.mseg.datasets.SplitList;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.datasets.loader.LabelTarget;
import org.mseg.datasets.loader.StreamSpec;
import org.mseg.datasets.transform.TransformParams;
import org.mseg.taxonomy.TaxonomyConverter;
import org.mseg.taxonomy.TaxonomyMapping;

/**
 * Everything a training run resolves from its configuration before it writes anything: the datasets and the taxonomy
 * the model is trained in, the model provider and what it builds, the strategy, the precision, the schedule, and the
 * batch layout. {@link #resolve} is where the engine validates a configuration, so that a library caller of
 * {@link TrainingRun} gets the same errors as the command line: the schema (with every plugin's keys), the datasets,
 * {@code TRAIN.arch}, {@code TRAIN.variant}, the precision against the model and the CPU, the crop size against the
 * model, and the strategy's options.
 *
 * @param config          the configuration, checked against the training schema
 * @param datasets        the training datasets, in batch order
 * @param converter       the taxonomy converter of the plugin environment
 * @param target          the label space the loader maps to
 * @param taxonomy        the training taxonomy (name, class names, ids each dataset cannot produce)
 * @param ignoreLabel     the training taxonomy's ignore id (65535 with 16-bit labels)
 * @param modelProvider   the provider of {@code TRAIN.arch}
 * @param modelSpec       what it builds
 * @param precision       {@code TRAIN.precision}
 * @param cropHeight      {@code TRAIN.train_h}
 * @param cropWidth       {@code TRAIN.train_w}
 * @param budget          the iteration schedule derived from {@code num_examples} and the batch layout
 * @param maxIters        steps of the run ({@code budget}'s, or the caller's override)
 * @param seed            {@code TRAIN.manual_seed} (0 when unset)
 * @param strategyName    the strategy's name
 * @param strategyOptions the resolved values of the strategy's configuration keys
 * @param strategy        the strategy's engine side
 * @param schedule        the learning-rate schedule
 * @param slices          which rows of a step's batch belong to which dataset
 * @param streams         the loader's streams, one per dataset
 * @param transforms      the training transforms' parameters
 * @param readPolicy      image size and path limits
 * @param devices         {@code TRAIN.devices}: the devices of the step's replicas
 */
public record TrainingSetup(MsegConfig config, List<String> datasets, TaxonomyConverter converter, LabelTarget target,
        TrainingTaxonomy taxonomy, int ignoreLabel, ModelProvider modelProvider, ModelSpec modelSpec,
        Precision precision, int cropHeight, int cropWidth, IterationBudget.Schedule budget, long maxIters, long seed,
        String strategyName, Map<String, Object> strategyOptions, GraphTrainingStrategy strategy,
        PolyLrSchedule schedule, List<DatasetSlice> slices, List<StreamSpec> streams, TransformParams transforms,
        ReadPolicy readPolicy, DevicePlan devices) {

    /**
     * Resolves and checks a run's configuration; writes nothing.
     *
     * @throws ConfigException naming the key (and the file it came from) of whatever cannot be trained
     */
    public static TrainingSetup resolve(TrainingRun.Options o, PluginEnvironment env) {
        MsegConfig c = checked(o.config(), env);
        DevicePlan devices = devicePlan(c);
        List<String> datasets = c.datasets();
        TaxonomyConverter converter = TaxonomyConverter.of(env);
        boolean naive = c.getBool("use_naive_taxonomy");
        boolean universal = c.getBool("universal");
        LabelTarget target = naive ? LabelTarget.NAIVE : universal ? LabelTarget.UNIVERSAL : LabelTarget.OWN;
        if (target == LabelTarget.OWN && datasets.size() != 1) {
            throw new ConfigException("universal: False (a dataset's own taxonomy) needs exactly one dataset, found "
                    + datasets);
        }
        TrainingTaxonomy taxonomy = TrainingTaxonomy.resolve(target, datasets, env.datasets(), converter);
        int numClasses = taxonomy.classNames().size();
        // ignore_label is the datasets' ignore value; the loader maps it to the training taxonomy's, which for more
        // than 255 classes (the naive taxonomy's 315) is 65535 with 16-bit labels.
        int ignore = numClasses > TaxonomyDefinition.IGNORE_ID ? TaxonomyMapping.WIDE_IGNORE_ID
                : c.getInt("ignore_label");

        ModelProvider modelProvider;
        try {
            modelProvider = env.models().get(c.getString("arch"));
        } catch (MsegException e) {
            throw new ConfigException("TRAIN.arch in " + c.where("arch") + ": " + e.getMessage(), e);
        }
        Precision precision = precisionOf(c, modelProvider);
        ModelSpec modelSpec = modelSpec(c, modelProvider, numClasses);
        int cropH = c.getInt("train_h");
        int cropW = c.getInt("train_w");
        try {
            modelProvider.checkInputSize(modelSpec, cropH, cropW);
        } catch (MsegException e) {
            throw new ConfigException("TRAIN.train_h/train_w in " + c.where("train_h") + ": " + e.getMessage(), e);
        }

        IterationBudget.Schedule budget = IterationBudget.of(c, d -> splitSize(env, d, "train", o.listsFolder()));
        long maxIters = o.maxIters().orElse(budget.maxIters());
        if (maxIters < 1) {
            throw new ConfigException("max_iters must be positive, was " + maxIters);
        }
        long seed = c.getOptionalLong("manual_seed").orElse(0L);

        TrainingStrategyProvider strategyProvider = env.strategies().get(o.strategy());
        Map<String, Object> strategyOptions = new LinkedHashMap<>();
        for (String q : strategyProvider.configKeys()) {
            String key = q.substring(q.indexOf('.') + 1);
            if (c.has(key)) {
                strategyOptions.put(key, c.get(key));
            }
        }
        GraphTrainingStrategy strategy = strategyProvider.create(strategyOptions, StrategyBackend.INSTANCE)
                .unwrap(GraphTrainingStrategy.class);

        PolyLrSchedule schedule;
        try {
            schedule = new PolyLrSchedule(c.getDouble("base_lr"), maxIters, c.getDouble("power"));
        } catch (IllegalArgumentException e) {
            // a configuration that skipped ConfigSchema.validate; the schema's ranges report this with the key
            throw new ConfigException("TRAIN.base_lr / TRAIN.power in " + c.where("base_lr") + ": " + e.getMessage()
                    + "; check the configuration with `mseg-cli config validate`", e);
        }
        List<DatasetSlice> slices = new ArrayList<>();
        List<StreamSpec> streams = new ArrayList<>();
        int offset = 0;
        for (String d : datasets) {
            int perDataset = budget.perProcessBatch() * budget.replicas().get(d);
            slices.add(new DatasetSlice(d, offset, perDataset));
            streams.add(new StreamSpec(d, "train", perDataset));
            offset += perDataset;
        }
        return new TrainingSetup(c, datasets, converter, target, taxonomy, ignore, modelProvider, modelSpec,
                precision, cropH, cropW, budget, maxIters, seed, o.strategy(), strategyOptions, strategy, schedule,
                slices, streams, TransformParams.fromConfig(c.flat()),
                new ReadPolicy(c.getLong("max_image_pixels"), c.getBool("permit_paths_outside_root")), devices);
    }

    /** Copies the lists and maps. */
    public TrainingSetup {
        datasets = List.copyOf(datasets);
        strategyOptions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(strategyOptions));
        slices = List.copyOf(slices);
        streams = List.copyOf(streams);
    }

    /**
     * {@code TRAIN.devices} resolved on this machine ({@link DeviceInventory#resolvePlan}): a GPU spec is checked
     * against the GPUs TensorFlow sees; a CPU spec never lists devices.
     *
     * @throws ConfigException naming the key, where it was set, and the fix
     */
    public static DevicePlan devicePlan(MsegConfig c) {
        String spec = c.has("devices") && c.get("devices") != null ? c.getString("devices") : "cpu";
        try {
            return DeviceInventory.resolvePlan(spec);
        } catch (ConfigException e) {
            throw new ConfigException("TRAIN.devices in " + c.where("devices") + ": " + e.getMessage(), e);
        }
    }

    /** Steps between checkpoints: {@code save_freq} epochs of the first dataset. */
    public long saveEvery() {
        long itersPerEpoch = Math.max(1, budget.itersPerEpoch().get(datasets.get(0)));
        return config.getInt("save_freq") * itersPerEpoch;
    }

    /** {@code keep_checkpoints}; 0 keeps every checkpoint. */
    public int keepCheckpoints() {
        return config.has("keep_checkpoints") && config.get("keep_checkpoints") != null
                ? config.getInt("keep_checkpoints") : 0;
    }

    /**
     * The configuration checked again against the training schema (keys, types, value ranges, with the keys every
     * strategy and model declares), so that a caller that skipped {@link ConfigSchema#validate} gets the schema's
     * message naming key, value and allowed range before anything is written, not an arithmetic error from deep
     * inside the trainer. Validating a resolved configuration changes nothing.
     */
    private static MsegConfig checked(MsegConfig c, PluginEnvironment env) {
        ConfigSchema schema = ConfigSchema.training().withExtraKeys(env.pluginConfigKeys());
        return schema.validate(c, new java.util.LinkedHashSet<>(env.datasets().names()));
    }

    /**
     * {@code TRAIN.precision} (resolved from {@code opt_level} when unset), checked against what the model computes in
     * and what this CPU's kernels run.
     */
    private static Precision precisionOf(MsegConfig c, ModelProvider model) {
        Precision precision = c.has("precision") && c.get("precision") != null
                ? Precision.fromConfigName(c.getString("precision")) : Precision.FP32;
        if (!model.precisions().contains(precision)) {
            List<String> offered = model.precisions().stream().sorted().map(Precision::configName).toList();
            String advice = precision == Precision.FP16_PURE
                    ? " (fp16-pure, opt_level O3, keeps no float32 master weights, which batch norm's float32 scale and"
                            + " statistics need)" : "";
            throw new ConfigException("TRAIN.precision " + precision.configName() + " (from " + c.where("precision")
                    + ") is not available for arch '" + model.name() + "'" + advice + "; it computes in "
                    + String.join(", ", offered) + "; use precision: " + offered.get(0));
        }
        LowPrecisionKernels.require(precision, "TRAIN.precision in " + c.where("precision"));
        return precision;
    }

    /**
     * What to build: {@code TRAIN.arch}, {@code TRAIN.variant}, the training taxonomy's classes and the resolved values
     * of the provider's own configuration keys.
     */
    private static ModelSpec modelSpec(MsegConfig c, ModelProvider provider, int numClasses) {
        String variant = c.has("variant") && c.get("variant") != null ? c.getString("variant")
                : provider.variants().get(0);
        if (!provider.variants().contains(variant)) {
            throw new ConfigException("TRAIN.variant '" + variant + "' in " + c.where("variant") + " is not a variant"
                    + " of arch '" + provider.name() + "'; its variants: " + String.join(", ", provider.variants()));
        }
        Map<String, Object> parameters = new LinkedHashMap<>();
        for (String q : provider.configKeys()) {
            String key = q.substring(q.indexOf('.') + 1);
            if (c.has(key)) {
                parameters.put(key, c.get(key));
            }
        }
        return new ModelSpec(provider.name(), variant, numClasses, parameters);
    }

    static int splitSize(PluginEnvironment env, String dataset, String split, Optional<Path> lists) {
        DatasetDefinition def = env.datasets().get(dataset);
        return SplitList.read(def, split, lists).size();
    }
}
