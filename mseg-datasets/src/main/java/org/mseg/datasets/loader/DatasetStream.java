package org.mseg.datasets.loader;

import java.nio.file.Path;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.mseg.datasets.SampleReader;
import org.mseg.datasets.SplitEntry;

/**
 * One dataset's infinite sequence of samples: epoch {@code e} visits the split list in a permutation drawn from
 * {@code (seed, stream index, e)}, independently of every other stream.
 *
 * <p>The permutation cache is used by the planning thread only; the bad-sample bookkeeping is shared with workers.
 */
final class DatasetStream {
    private final int index;
    private final String dataset;
    private final String split;
    private final int batchSize;
    private final SampleReader reader;
    private final Path folder;
    private final byte[] lut;
    private final short[] wideLut;
    private final long seed;
    private final Set<Integer> knownBad = ConcurrentHashMap.newKeySet();
    private final AtomicLong skipped = new AtomicLong();
    private long cachedEpoch = -1;
    private int[] cachedPermutation;

    /**
     * @param lut     256-entry label lookup to a training taxonomy of at most 255 classes, or {@code null} to keep
     *                the dataset's ids (or when {@code wideLut} is given)
     * @param wideLut 256-entry lookup to unsigned 16-bit ids of a wider taxonomy (the naive one), or {@code null}
     */
    DatasetStream(int index, String dataset, String split, int batchSize, SampleReader reader, Path folder,
            byte[] lut, short[] wideLut, long seed) {
        this.index = index;
        this.dataset = dataset;
        this.split = split;
        this.batchSize = batchSize;
        this.reader = reader;
        this.folder = folder;
        this.lut = lut;
        this.wideLut = wideLut;
        this.seed = seed;
    }

    int index() {
        return index;
    }

    String dataset() {
        return dataset;
    }

    String split() {
        return split;
    }

    int batchSize() {
        return batchSize;
    }

    SampleReader reader() {
        return reader;
    }

    /** The lookup table to the training taxonomy, or {@code null}. Shared, never modified. */
    byte[] lut() {
        return lut;
    }

    /** The 16-bit lookup table to a taxonomy of more than 255 classes, or {@code null}. Shared, never modified. */
    short[] wideLut() {
        return wideLut;
    }

    int size() {
        return reader.size();
    }

    /** The list index order of an epoch; the array is shared and must not be modified. Planning thread only. */
    int[] permutation(long epoch) {
        if (epoch != cachedEpoch) {
            cachedPermutation = permutation(seed, index, epoch, size());
            cachedEpoch = epoch;
        }
        return cachedPermutation;
    }

    /** Fisher–Yates shuffle of {@code 0..n-1} with a generator seeded by {@code (seed, stream, epoch)}. */
    static int[] permutation(long seed, int stream, long epoch, int n) {
        SplittableRandom random = new SplittableRandom(Seeds.of(Seeds.PERMUTATION, seed, stream, epoch));
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** True if the list entry already failed to read. */
    boolean isKnownBad(int listIndex) {
        return knownBad.contains(listIndex);
    }

    /** Records a bad list entry; true the first time (so that it is counted and logged once). */
    boolean markBad(int listIndex) {
        if (knownBad.add(listIndex)) {
            skipped.incrementAndGet();
            return true;
        }
        return false;
    }

    long skipped() {
        return skipped.get();
    }

    /** {@code <list> line <n> (image <path>, label <path>)} for messages. */
    String describe(int listIndex) {
        SplitEntry entry = reader.list().entries().get(listIndex);
        return reader.list().source() + " line " + entry.lineNumber() + " (image " + folder.resolve(entry.imagePath())
                + entry.labelPath().map(l -> ", label " + folder.resolve(l)).orElse("") + ")";
    }
}
