package org.mseg.api.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.mseg.api.ConfigException;

/**
 * How long MSeg trains, exactly as upstream computes it (reference MSEG.md c.4). {@code num_examples} is a budget
 * of crops <em>per dataset</em>: every global step consumes {@code perDatasetBatch × replicas} crops of every
 * dataset, so all datasets contribute the same number of crops whatever their size.
 */
public final class IterationBudget {
    private IterationBudget() {
    }

    /**
     * The per-process batch {@code int(batch_size / ngpus)}: {@code batch_size} in the configs is the total over the
     * node's GPUs.
     *
     * @throws ConfigException if the result is zero
     */
    public static int perProcessBatch(int batchSize, int ngpus) {
        requirePositive(ngpus, "number of GPUs (length of train_gpu)");
        int b = batchSize / ngpus;
        if (b <= 0) {
            throw new ConfigException("batch_size " + batchSize + " is smaller than the number of GPUs " + ngpus
                    + " (batch_size is the total over all GPUs): raise TRAIN.batch_size");
        }
        return b;
    }

    /**
     * Global steps of a multi-dataset run: {@code floor(numExamples / (perDatasetBatch × replicasPerDataset))}.
     *
     * @param numExamples        {@code num_examples}, crops per dataset
     * @param perDatasetBatch    the per-process batch {@code b}
     * @param replicasPerDataset how many processes train one dataset (length of its {@code dataset_gpu_mapping} list)
     */
    public static long maxIters(long numExamples, int perDatasetBatch, int replicasPerDataset) {
        requirePositive(numExamples, "num_examples");
        return numExamples / step(perDatasetBatch, replicasPerDataset);
    }

    /**
     * Steps needed to see one dataset once: {@code floor(datasetLength / (perDatasetBatch × replicasPerDataset))}
     * (the loader drops the last incomplete batch).
     *
     * @throws ConfigException if the dataset is smaller than one step's batch
     */
    public static long itersPerEpoch(long datasetLength, int perDatasetBatch, int replicasPerDataset) {
        long ipe = datasetLength / step(perDatasetBatch, replicasPerDataset);
        if (ipe <= 0) {
            throw new ConfigException("a dataset of " + datasetLength + " examples is smaller than one step's batch of "
                    + (long) perDatasetBatch * replicasPerDataset + " crops: lower TRAIN.batch_size");
        }
        return ipe;
    }

    /** Epochs a dataset is cycled through: {@code ceil(maxIters / itersPerEpoch)}. */
    public static long epochs(long maxIters, long itersPerEpoch) {
        requirePositive(itersPerEpoch, "iterations per epoch");
        return (maxIters + itersPerEpoch - 1) / itersPerEpoch;
    }

    /**
     * Global steps of a single-dataset run: {@code floor(numExamples / (int(batchSize / ngpus) × ngpus))}, e.g.
     * 31,250 for one million crops, batch 32 on 8 GPUs.
     */
    public static long singleDatasetMaxIters(long numExamples, int batchSize, int ngpus) {
        return maxIters(numExamples, perProcessBatch(batchSize, ngpus), ngpus);
    }

    /** Epochs of a single-dataset run: {@code ceil(numExamples / datasetLength)}. */
    public static long singleDatasetEpochs(long numExamples, long datasetLength) {
        requirePositive(datasetLength, "dataset length");
        return (numExamples + datasetLength - 1) / datasetLength;
    }

    /**
     * The schedule of a whole run.
     *
     * @param singleDataset    whether one dataset is trained (then {@code epochs = ceil(num_examples / length)})
     * @param perProcessBatch  crops of each dataset per step and replica, {@code int(batch_size / len(train_gpu))}
     * @param maxIters         global steps to train
     * @param replicas         dataset → processes (GPU ranks) training it
     * @param itersPerEpoch    dataset → steps per pass over it
     * @param epochs           dataset → passes over it during the run
     */
    public record Schedule(boolean singleDataset, int perProcessBatch, long maxIters, Map<String, Integer> replicas,
            Map<String, Long> itersPerEpoch, Map<String, Long> epochs) {

        /** Copies the maps, keeping the dataset order. */
        public Schedule {
            replicas = Collections.unmodifiableMap(new LinkedHashMap<>(replicas));
            itersPerEpoch = Collections.unmodifiableMap(new LinkedHashMap<>(itersPerEpoch));
            epochs = Collections.unmodifiableMap(new LinkedHashMap<>(epochs));
        }
    }

    /**
     * The schedule of a validated training configuration: per-process batch from {@code batch_size} and
     * {@code train_gpu}, replicas per dataset from {@code dataset_gpu_mapping} (one each when absent; all GPUs for a
     * single dataset), {@code max_iters} from {@code num_examples}. When datasets have different replica counts
     * upstream's ranks disagree on {@code max_iters}; the first dataset's count decides here, as rank 0's did.
     *
     * @param c           a validated training configuration whose dataset is chosen
     * @param trainLength dataset name → number of training examples (lines of its train list)
     * @throws ConfigException if the dataset is not chosen or a dataset is smaller than one step's batch
     */
    public static Schedule of(MsegConfig c, ToLongFunction<String> trainLength) {
        List<String> datasets = c.datasets();
        int ngpus = c.getList("train_gpu").size();
        int b = perProcessBatch(c.getInt("batch_size"), ngpus);
        long numExamples = c.getLong("num_examples");
        boolean single = datasets.size() == 1;
        Map<String, Object> mapping = c.has("dataset_gpu_mapping") && c.get("dataset_gpu_mapping") != null
                ? c.getMap("dataset_gpu_mapping") : Map.of();
        Map<String, Integer> replicas = new LinkedHashMap<>();
        for (String d : datasets) {
            int r = mapping.get(d) instanceof List<?> ranks ? ranks.size() : single ? ngpus : 1;
            replicas.put(d, r);
        }
        long max = maxIters(numExamples, b, replicas.get(datasets.get(0)));
        Map<String, Long> ipe = new LinkedHashMap<>();
        Map<String, Long> epochs = new LinkedHashMap<>();
        for (String d : datasets) {
            long length = trainLength.applyAsLong(d);
            long perEpoch = itersPerEpoch(length, b, replicas.get(d));
            ipe.put(d, perEpoch);
            epochs.put(d, single ? singleDatasetEpochs(numExamples, length) : epochs(max, perEpoch));
        }
        return new Schedule(single, b, max, replicas, ipe, epochs);
    }

    private static long step(int perDatasetBatch, int replicasPerDataset) {
        requirePositive(perDatasetBatch, "per-dataset batch");
        requirePositive(replicasPerDataset, "replicas per dataset");
        return (long) perDatasetBatch * replicasPerDataset;
    }

    private static void requirePositive(long v, String what) {
        if (v <= 0) {
            throw new ConfigException(what + " must be positive, got " + v);
        }
    }
}
