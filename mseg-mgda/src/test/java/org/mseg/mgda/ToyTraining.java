package org.mseg.mgda;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.mseg.datasets.LabelBuffer;
import org.mseg.datasets.loader.Batch;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.hrnet.Hrnet;
import org.mseg.hrnet.HrnetSpec;
import org.mseg.engine.GraphTrainingStrategy;
import org.mseg.hrnet.HrnetGraphModel;
import org.mseg.engine.PolyLrSchedule;
import org.mseg.engine.Trainer;

/**
 * Tiny HRNet trainers and in-memory batches of three synthetic datasets. Each dataset paints rectangles of its own
 * subset of the classes on background, with its own colour cast, so the per-dataset gradients differ in direction
 * and size; 255 on the 1-pixel border. Batch {@code i} depends only on {@code i}.
 */
final class ToyTraining {

    static final int SIZE = 17;
    static final int CLASSES = 5;
    static final List<DatasetSlice> SLICES = List.of(new DatasetSlice("alpha", 0, 2),
            new DatasetSlice("beta", 2, 2), new DatasetSlice("gamma", 4, 2));
    private static final float[][] COLOURS = {{-1, -1, -1}, {1.5f, -1, -1}, {-1, 1.5f, -1}, {-1, -1, 1.5f},
        {1, 1, -1}};
    private static final int[][] CLASSES_OF = {{1, 2}, {2, 3, 4}, {1, 4}};
    private static final float[] CAST = {0f, 0.5f, -0.4f};

    private ToyTraining() {
    }

    static Batch batch(long index) {
        return batch(index, SLICES);
    }

    static Batch batch(long index, List<DatasetSlice> slices) {
        int n = slices.stream().mapToInt(DatasetSlice::count).sum();
        int pixels = SIZE * SIZE;
        float[] images = new float[n * pixels * 3];
        byte[] labels = new byte[n * pixels];
        Random random = new Random(4242 + index);
        for (int d = 0; d < slices.size(); d++) {
            DatasetSlice s = slices.get(d);
            int[] classes = CLASSES_OF[d % CLASSES_OF.length];
            float cast = CAST[d % CAST.length];
            for (int b = s.offset(); b < s.offset() + s.count(); b++) {
                int[] lab = new int[pixels];
                for (int r = 0; r < 3; r++) {
                    int c = classes[random.nextInt(classes.length)];
                    int y0 = random.nextInt(SIZE);
                    int x0 = random.nextInt(SIZE);
                    int h = 4 + random.nextInt(SIZE / 2);
                    int w = 4 + random.nextInt(SIZE / 2);
                    for (int y = y0; y < Math.min(SIZE, y0 + h); y++) {
                        for (int x = x0; x < Math.min(SIZE, x0 + w); x++) {
                            lab[y * SIZE + x] = c;
                        }
                    }
                }
                for (int p = 0; p < pixels; p++) {
                    for (int ch = 0; ch < 3; ch++) {
                        images[(b * pixels + p) * 3 + ch] = COLOURS[lab[p]][ch] + cast
                                + (float) (random.nextGaussian() * 0.3);
                    }
                    int y = p / SIZE;
                    int x = p % SIZE;
                    boolean border = y == 0 || x == 0 || y == SIZE - 1 || x == SIZE - 1;
                    labels[b * pixels + p] = (byte) (border ? 255 : lab[p]);
                }
            }
        }
        return new Batch(index, SIZE, SIZE, images, LabelBuffer.of(labels), slices, Map.of());
    }

    static Trainer trainer(GraphTrainingStrategy strategy, double baseLr, long maxIters) {
        return trainer(strategy, baseLr, maxIters, SLICES);
    }

    static Trainer trainer(GraphTrainingStrategy strategy, double baseLr, long maxIters, List<DatasetSlice> slices) {
        return Trainer.builder()
                .model(tf -> new HrnetGraphModel(Hrnet.create(tf, HrnetSpec.tiny(), CLASSES, 7)))
                .slices(slices)
                .crop(SIZE, SIZE)
                .schedule(new PolyLrSchedule(baseLr, maxIters, 0.9))
                .strategy(strategy, Map.of())
                .build();
    }

    /** A recording observer. */
    static final class Steps implements java.util.function.Consumer<MgdaStep> {
        final List<MgdaStep> seen = new ArrayList<>();

        @Override
        public void accept(MgdaStep step) {
            seen.add(step);
        }

        MgdaStep last() {
            return seen.get(seen.size() - 1);
        }
    }
}
