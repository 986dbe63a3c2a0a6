package org.mseg.hrnet.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.mseg.datasets.LabelBuffer;
import org.mseg.datasets.loader.Batch;
import org.mseg.datasets.loader.DatasetSlice;
import org.mseg.engine.BatchSource;

/**
 * A deterministic in-memory batch source: each crop is a few axis-aligned rectangles of class colours on a
 * background class, with noise; the label is the class, 255 on a 1-pixel border. Batch {@code i} depends only on the
 * seed and {@code i}, and the source state is {@code {"next": i+1}}, so a resumed source continues exactly.
 */
final class ToyBatches implements BatchSource {

    static final float[][] COLOURS = {{-1, -1, -1}, {1.5f, -1, -1}, {-1, 1.5f, -1}, {-1, -1, 1.5f}, {1, 1, -1}};

    private final long seed;
    private final int size;
    private final int classes;
    private final List<DatasetSlice> slices;
    private long next;

    ToyBatches(long seed, int size, int classes, List<DatasetSlice> slices, long start) {
        this.seed = seed;
        this.size = size;
        this.classes = classes;
        this.slices = List.copyOf(slices);
        this.next = start;
    }

    static List<DatasetSlice> twoDatasets(int perDataset) {
        return List.of(new DatasetSlice("alpha", 0, perDataset), new DatasetSlice("beta", perDataset, perDataset));
    }

    @Override
    public Batch next() {
        return batch(next++);
    }

    Batch batch(long index) {
        int n = slices.stream().mapToInt(DatasetSlice::count).sum();
        int pixels = size * size;
        float[] images = new float[n * pixels * 3];
        byte[] labels = new byte[n * pixels];
        Random rnd = new Random(seed * 1_000_003L + index);
        for (int b = 0; b < n; b++) {
            int[] lab = new int[pixels];
            for (int r = 0; r < 3; r++) {
                int c = 1 + rnd.nextInt(classes - 1);
                int y0 = rnd.nextInt(size);
                int x0 = rnd.nextInt(size);
                int h = 3 + rnd.nextInt(size / 2);
                int w = 3 + rnd.nextInt(size / 2);
                for (int y = y0; y < Math.min(size, y0 + h); y++) {
                    for (int x = x0; x < Math.min(size, x0 + w); x++) {
                        lab[y * size + x] = c;
                    }
                }
            }
            for (int p = 0; p < pixels; p++) {
                int y = p / size;
                int x = p % size;
                float[] col = COLOURS[lab[p] % COLOURS.length];
                for (int ch = 0; ch < 3; ch++) {
                    images[(b * pixels + p) * 3 + ch] = col[ch] + (float) (rnd.nextGaussian() * 0.3);
                }
                boolean border = y == 0 || x == 0 || y == size - 1 || x == size - 1;
                labels[b * pixels + p] = (byte) (border ? 255 : lab[p]);
            }
        }
        return new Batch(index, size, size, images, LabelBuffer.of(labels), slices, Map.of("next", index + 1));
    }

    static List<Batch> take(BatchSource source, int count) {
        List<Batch> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(source.next());
        }
        return out;
    }
}
