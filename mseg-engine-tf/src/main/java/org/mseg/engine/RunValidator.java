package org.mseg.engine;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.mseg.api.MsegException;
import org.mseg.api.TrainingException;
import org.mseg.api.io.AtomicFiles;
import org.mseg.api.json.Json;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.api.train.TrainingListener;
import org.mseg.datasets.LabelBuffer;
import org.mseg.datasets.loader.Batch;
import org.mseg.datasets.loader.LabelTarget;
import org.mseg.datasets.loader.MultiDatasetLoader;
import org.mseg.datasets.loader.StreamSpec;
import org.mseg.datasets.metrics.IouAccumulator;
import org.mseg.datasets.metrics.SegmentationMetrics;

/**
 * The end-of-run evaluator: center-crop validation of every training dataset's {@code val} split in the training
 * taxonomy (argmax over the trained classes, the ids a dataset cannot produce left out of universal means), reported
 * to the listeners ({@link TrainingListener#onValidation}, the first pictures through
 * {@link TrainingListener#onValidationPicture}) and written to {@code metrics.json}.
 *
 * <p>In a cluster every task validates its share of each split and the counts are summed over the tasks
 * ({@link #validate}); task 0 reports and writes the file.
 *
 * <p>{@code metrics.json} is {@code {"mIoU": {"<dataset>": value, ...}}} on one line, written atomically through
 * {@link Json}; a dataset whose mIoU is undefined (NaN: no labelled pixel of any class it can score) has
 * {@code null}, which every JSON reader accepts, rather than a made-up number.
 */
public final class RunValidator {

    private final PluginEnvironment env;
    private final TrainingSetup setup;
    private final Optional<Path> listsFolder;
    private final Path dataRoot;
    private final int loaderThreads;

    /**
     * @param env           the plugin environment (datasets, taxonomies)
     * @param setup         the run (datasets, label target, taxonomy, crop, transforms)
     * @param dataRoot      folder holding the dataset folders
     * @param listsFolder   folder of split lists, if not the datasets' own
     * @param loaderThreads loader worker threads
     */
    public RunValidator(PluginEnvironment env, TrainingSetup setup, Path dataRoot, Optional<Path> listsFolder,
            int loaderThreads) {
        this.env = env;
        this.setup = setup;
        this.dataRoot = dataRoot;
        this.listsFolder = listsFolder;
        this.loaderThreads = loaderThreads;
    }

    /**
     * Validates every training dataset, tells the listeners, and writes {@code metricsFile} (unless null: the tasks
     * of a cluster other than 0).
     *
     * @return mIoU per dataset, in the run's dataset order
     */
    public Map<String, Double> validateAll(Trainer trainer, List<TrainingListener> listeners, Path metricsFile) {
        Map<String, Double> mIoU = new LinkedHashMap<>();
        for (String d : setup.datasets()) {
            SegmentationMetrics m = validate(trainer, d, listeners);
            mIoU.put(d, m.mIoU());
            for (TrainingListener l : listeners) {
                l.onValidation(d, m.mIoU(), Map.of("mAcc", m.mAcc(), "allAcc", m.allAcc()));
            }
        }
        if (metricsFile != null) {
            writeMetrics(metricsFile, mIoU);
        }
        return mIoU;
    }

    /**
     * Center-crop validation of one dataset's val split, argmax in the training taxonomy.
     *
     * <p>In a cluster of {@code N} processes every task runs this together: the val loader plans {@code N} images
     * per step and each task reads, predicts and counts only its own ({@link MultiDatasetLoader.Builder#rows}); the
     * counts are then summed over the tasks, so every task returns the metrics of the whole split, equal to one
     * process's. Only this task's first images become pictures.
     */
    public SegmentationMetrics validate(Trainer trainer, String dataset, List<TrainingListener> listeners) {
        int h = setup.cropHeight();
        int w = setup.cropWidth();
        int count = TrainingSetup.splitSize(env, dataset, "val", listsFolder);
        int tasks = trainer.cluster().map(ClusterSpec::size).orElse(1);
        int task = trainer.cluster().map(ClusterSpec::taskIndex).orElse(0);
        IouAccumulator acc = new IouAccumulator(trainer.model().numClasses());
        try (MultiDatasetLoader val = MultiDatasetLoader.builder().environment(env).converter(setup.converter())
                .dataRoot(dataRoot).listsFolder(listsFolder).target(setup.target())
                .streams(List.of(new StreamSpec(dataset, "val", tasks))).rows(task, 1).params(setup.transforms())
                .train(false).threads(loaderThreads).prefetch(2).seed(0L).build()) {
            int steps = (count + tasks - 1) / tasks;
            for (int i = 0; i < steps; i++) {
                Batch b = val.next();
                if ((long) i * tasks + task >= count) {
                    continue; // past the split's end: the next epoch's image
                }
                LabelBuffer pred = trainer.predict(b.images(), b.rowCount(), h, w);
                acc.add(pred, b.labels());
                ValidationPictures.Picture picture = i < ValidationPictures.PER_DATASET && !listeners.isEmpty()
                        ? ValidationPictures.draw(b.images(), h, w, b.labels(), pred) : null;
                if (picture != null) {
                    for (TrainingListener l : listeners) {
                        l.onValidationPicture(dataset, i, picture.height(), picture.width(), picture.rgb());
                    }
                }
            }
        }
        if (tasks > 1) {
            acc = sumOverTasks(trainer, acc);
        }
        Set<Integer> excluded = setup.target() == LabelTarget.UNIVERSAL
                ? setup.taxonomy().excludedIds().get(dataset) : Set.of();
        return acc.compute(excluded);
    }

    /** The counts of every task's share of a split, summed ({@link Trainer#sumAcrossTasks}). */
    private static IouAccumulator sumOverTasks(Trainer trainer, IouAccumulator mine) {
        int k = mine.numClasses();
        double[] packed = new double[3 * k];
        long[] intersection = mine.intersection();
        long[] predicted = mine.predicted();
        long[] target = mine.target();
        for (int c = 0; c < k; c++) {
            packed[c] = intersection[c];
            packed[k + c] = predicted[c];
            packed[2 * k + c] = target[c];
        }
        double[] sum = trainer.sumAcrossTasks(packed);
        long[][] out = new long[3][k];
        for (int part = 0; part < 3; part++) {
            for (int c = 0; c < k; c++) {
                out[part][c] = (long) sum[part * k + c];
            }
        }
        return IouAccumulator.of(out[0], out[1], out[2]);
    }

    /**
     * {@code {"mIoU": {"<dataset>": value, ...}}} on one line, as the file always looked, atomically. Every name and
     * value goes through {@link Json#write} (names are escaped; an undefined, NaN mIoU is {@code null}).
     */
    static void writeMetrics(Path file, Map<String, Double> mIoU) {
        StringBuilder sb = new StringBuilder("{").append(Json.write("mIoU", false)).append(": {");
        String separator = "";
        for (Map.Entry<String, Double> e : mIoU.entrySet()) {
            double v = e.getValue();
            // six decimals, as the file always had: more would only be noise of the float32 model
            Object value = Double.isFinite(v) ? (Object) (Math.round(v * 1e6) / 1e6) : null;
            sb.append(separator).append(Json.write(e.getKey(), false)).append(": ").append(Json.write(value, false));
            separator = ", ";
        }
        try {
            AtomicFiles.writeString(file, sb.append("}}\n").toString());
        } catch (MsegException e) {
            throw new TrainingException(e.getMessage(), e);
        }
    }
}
