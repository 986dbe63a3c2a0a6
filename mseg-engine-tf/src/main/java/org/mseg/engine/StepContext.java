package org.mseg.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mseg.datasets.loader.Batch;
import org.mseg.datasets.loader.DatasetSlice;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/** What a {@link StepProgram} gets each step. */
public interface StepContext {

    /** Steps completed before this one (0 for the first step). */
    long iteration();

    /**
     * This step's batch (labels can be read in Java, e.g. to sample CCSA pixel pairs). In a cluster of processes it
     * holds only this process's rows ({@link Batch#firstRow()}, {@link Batch#rowCount()}) unless the strategy
     * {@link GraphTrainingStrategy#readsWholeBatch reads the whole batch}.
     */
    Batch batch();

    /** The scheduled learning rate of this step (already fed). */
    double learningRate();

    /** The training session. */
    Session session();

    /**
     * A new runner with the images, labels and learning-rate placeholders fed. Each call gives a fresh runner over the
     * same feed tensors, so a program may run several times per step.
     */
    Session.Runner runner();

    /**
     * Reads a {@code [D]} vector of per-dataset values (e.g. fetched {@link SegmentationLoss#datasetLosses()}) into a
     * map keyed by dataset name, in slice order.
     */
    default Map<String, Double> byDataset(TFloat32 values) {
        List<DatasetSlice> slices = batch().slices();
        float[] v = new float[slices.size()];
        values.asRawTensor().data().asFloats().read(v);
        Map<String, Double> out = new LinkedHashMap<>();
        for (int d = 0; d < slices.size(); d++) {
            out.put(slices.get(d).dataset(), (double) v[d]);
        }
        return out;
    }
}
