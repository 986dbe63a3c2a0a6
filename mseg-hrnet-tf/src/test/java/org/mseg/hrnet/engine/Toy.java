package org.mseg.hrnet.engine;

import java.util.List;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.engine.PolyLrSchedule;
import org.mseg.engine.Trainer;
import org.mseg.hrnet.Hrnet;
import org.mseg.hrnet.HrnetGraphModel;
import org.mseg.hrnet.HrnetSpec;

/** Builds tiny HRNet trainers for engine tests. */
final class Toy {

    static final int CLASSES = 5;

    private Toy() {
    }

    static Trainer.Builder trainer(int size, List<DatasetSlice> slices, double baseLr, long maxIters, long seed) {
        return Trainer.builder()
                .model(tf -> new HrnetGraphModel(Hrnet.create(tf, HrnetSpec.tiny(), CLASSES, seed)))
                .slices(slices)
                .crop(size, size)
                .schedule(new PolyLrSchedule(baseLr, maxIters, 0.9));
    }
}
