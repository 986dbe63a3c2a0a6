package org.mseg.datasets.loader;

import java.nio.file.Path;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.mseg.datasets.LabelBuffer;
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
    private final LabelBuffer lut;
    private final long seed;
    private final Set<Integer> knownBad = ConcurrentHashMap.newKeySet();
    private final AtomicLong skipped = new AtomicLong();
    private long cachedEpoch = -1;
    private int[] cachedPermutation;

    /**
     * @param lut 256-entry lookup from the dataset's 8-bit ids to training ids, in the training labels' width
     *            (16-bit for a taxonomy of more than 255 classes, the naive one), or {@code null} to keep the
     *            dataset's ids as 8-bit labels
     */
    DatasetStream(int index, String dataset, String split, int batchSize, SampleReader reader, Path folder,
            LabelBuffer lut, long seed) {
        this.index = index;
        this.dataset = dataset;
        this.split = split;
        this.batchSize = batchSize;
        this.reader = reader;
        this.folder = folder;
        this.lut = lut;
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
    LabelBuffer lut() {
        return lut;
    }

    /** Bits per training label: the lookup's width, 8 without a lookup. */
    int labelBits() {
        return lut == null ? 8 : lut.bits();
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
