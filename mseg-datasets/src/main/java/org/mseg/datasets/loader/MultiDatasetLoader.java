package org.mseg.datasets.loader;

import static org.bytedeco.opencv.global.opencv_core.CV_32FC3;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.opencv.opencv_core.Mat;
import org.mseg.api.ConfigException;
import org.mseg.api.DatasetException;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.datasets.DataRoot;
import org.mseg.datasets.LabelBuffer;
import org.mseg.datasets.Sample;
import org.mseg.datasets.ReadPolicy;
import org.mseg.datasets.SampleReader;
import org.mseg.datasets.SplitList;
import org.mseg.datasets.transform.LabelLookup;
import org.mseg.datasets.transform.Normalize;
import org.mseg.datasets.transform.Transform;
import org.mseg.datasets.transform.TransformChain;
import org.mseg.datasets.transform.TransformParams;
import org.mseg.api.taxonomy.TaxonomyDefinition;
import org.mseg.taxonomy.TaxonomyConverter;
import org.mseg.taxonomy.TaxonomyMapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MSeg's multi-dataset loader ("flat mix", upstream one process per dataset): every batch holds {@code batchSize}
 * crops of each configured dataset, contiguous and in stream order, ready for the model.
 *
 * <p><b>Streams.</b> Each dataset is an infinite stream over its split list. Epoch {@code e} of stream {@code i} visits
 * the list in a permutation drawn from {@code (seed, i, e)}, so every stream reshuffles per epoch independently of the
 * others (small datasets simply run through more epochs). The sample at {@code (stream, epoch, position)} is
 * transformed with a generator seeded from {@code (seed, stream, epoch, position)}: a batch's content does not depend
 * on thread scheduling, and a loader started at the {@link Batch#sourceState()} of batch {@code k}
 * ({@link LoaderState#fromMap}) yields exactly batch
 * {@code k + 1}.
 *
 * <p><b>Pipeline.</b> A fixed pool of worker threads decodes and transforms samples, one task per sample; OpenCV
 * releases the JVM while it works, so workers run in parallel. In train mode each worker runs MSeg's train chain in its
 * own reusable buffers (bit-identical to {@link TransformChain#train}, computing the scaled, rotated and blurred image
 * only where the crop reads it; fresh 100 MB Mats per step would spend more time in page faults than in OpenCV) and
 * copies the crop window straight into the batch arrays at the sample's offset, normalising and converting labels on
 * the way (the arithmetic of {@link Normalize} and {@link LabelLookup}). In val mode it runs {@link TransformChain#val}
 * (center crop). Labels ({@link org.mseg.datasets.LabelBuffer}) are 8-bit, or unsigned 16-bit (ignore 65535) when the
 * training taxonomy has more than 255 classes (the naive one). Each worker keeps its buffers, sized for the largest
 * scaled image it has seen (about 220 MB for 1080p at scale 2), until the loader is closed. At most {@code prefetch}
 * batches are planned and not yet returned by {@link #next()}, whatever the dataset sizes, so memory stays bounded
 * when the consumer is slower than the workers.
 *
 * <p><b>Bad data.</b> By default the first sample that cannot be read fails {@link #next()} with a
 * {@link DatasetException} naming the list, the line and the files. With {@code skipBad(true)} an unreadable sample is
 * replaced by the next entry of the same epoch's permutation (deterministically), logged once and counted per dataset
 * ({@link #skippedSamples()}); the stream position still advances by one per batch slot.
 *
 * <p>Not thread-safe: one consumer thread calls {@link #next()}. Always closed (try-with-resources): closing stops the
 * workers.
 */
public final class MultiDatasetLoader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MultiDatasetLoader.class);
    private static final double[] MEAN = Normalize.imagenetMean();
    private static final double[] STD = Normalize.imagenetStd();

    private final List<DatasetStream> streams;
    private final List<Transform> steps;
    private final PooledTrainChain trainChain;
    private final List<Workspace> workspaces = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Workspace> workspace = ThreadLocal.withInitial(() -> {
        Workspace ws = new Workspace();
        workspaces.add(ws);
        return ws;
    });
    private final int height;
    private final int width;
    private final int samplesPerBatch;
    /** The rows of each batch this loader produces (one process's share of a cluster's batch, or all). */
    private final int firstRow;
    private final int rowCount;
    /** Bits per label: 16 when the training taxonomy has more than 255 classes, else 8. */
    private final int labelBits;
    private final long seed;
    private final boolean skipBad;
    private final int prefetch;
    private final ExecutorService workers;
    private final float[] mean = new float[3];
    private final float[] std = new float[3];

    // Planning state: used by the consumer thread only.
    private final ArrayDeque<PendingBatch> planned = new ArrayDeque<>();
    private final long[] epochs;
    private final long[] positions;
    private long nextIndex;

    private volatile boolean closed;
    private DatasetException failure;

    // Counters for the bounded-memory guarantee (read by tests and benchmarks).
    private final AtomicInteger queuedSamples = new AtomicInteger();
    private final AtomicInteger peakQueuedSamples = new AtomicInteger();
    private final AtomicInteger openSamples = new AtomicInteger();
    private final AtomicInteger peakOpenSamples = new AtomicInteger();
    private final AtomicLong producedSamples = new AtomicLong();

    private MultiDatasetLoader(Builder b, List<DatasetStream> streams, long seed, long[] epochs, long[] positions,
            long firstIndex) {
        this.streams = List.copyOf(streams);
        // Val: MSeg's chain without Normalize, which is fused into the copy into the batch (same float arithmetic,
        // one pass, no Mat clone). Train: the same chain computed in reusable buffers.
        this.steps = b.train ? List.of() : TransformChain.val(b.params, Optional.empty()).steps().stream()
                .filter(t -> !(t instanceof Normalize)).toList();
        this.trainChain = b.train ? new PooledTrainChain(b.params) : null;
        this.height = b.params.trainH();
        this.width = b.params.trainW();
        this.samplesPerBatch = streams.stream().mapToInt(DatasetStream::batchSize).sum();
        this.firstRow = b.firstRow;
        this.rowCount = b.rowCount < 0 ? samplesPerBatch : b.rowCount;
        if (firstRow < 0 || rowCount < 1 || firstRow + rowCount > samplesPerBatch) {
            throw new ConfigException("The loader's rows " + firstRow + ".." + (firstRow + rowCount - 1) + " are not"
                    + " within its batches of " + samplesPerBatch + " crops.");
        }
        this.labelBits = streams.get(0).labelBits();
        this.seed = seed;
        this.skipBad = b.skipBad;
        this.prefetch = b.prefetch;
        this.epochs = epochs;
        this.positions = positions;
        this.nextIndex = firstIndex;
        for (int c = 0; c < 3; c++) {
            mean[c] = (float) MEAN[c];
            std[c] = (float) STD[c];
        }
        this.workers = Executors.newFixedThreadPool(b.threads, new WorkerThreads());
        for (int i = 0; i < prefetch; i++) {
            plan();
        }
    }

    /** A builder; environment, data root, streams and transform parameters are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The dataset names, in stream (and batch) order. */
    public List<String> datasets() {
        return streams.stream().map(DatasetStream::dataset).toList();
    }

    /** Crops per batch over all datasets. */
    public int batchSize() {
        return samplesPerBatch;
    }

    /**
     * Unreadable samples skipped so far, per dataset in stream order (each bad list entry counted once); all zero
     * unless {@code skipBad} is on.
     */
    public Map<String, Long> skippedSamples() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (DatasetStream s : streams) {
            m.put(s.dataset(), s.skipped());
        }
        return Collections.unmodifiableMap(m);
    }

    /**
     * The next batch, waiting for the workers if needed.
     *
     * @throws DatasetException if a sample of the batch could not be read or transformed (names the list, line and
     *                          files); the loader then stays failed and every later call throws again
     * @throws IllegalStateException if the loader is closed
     */
    public Batch next() {
        if (closed) {
            throw new IllegalStateException("loader is closed");
        }
        if (failure != null) {
            throw new DatasetException(failure.getMessage(), failure);
        }
        PendingBatch head = planned.peekFirst();
        try {
            head.done.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            failure = cause instanceof DatasetException d ? d : new DatasetException("Loading batch " + head.index
                    + " failed: " + cause, cause);
            // Rethrown from here so the stack shows the consumer too; the worker's exception is the cause.
            throw new DatasetException(failure.getMessage(), failure);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatasetException("Interrupted while waiting for batch " + head.index + " of the loader.", e);
        }
        planned.removeFirst();
        plan();
        return new Batch(head.index, height, width, head.images, head.labels, head.slices, head.stateAfter.toMap(),
                firstRow, rowCount);
    }

    /** Plans the next batch: fixes the stream positions of its slots and hands them to the workers. */
    private void plan() {
        List<DatasetSlice> slices = new ArrayList<>(streams.size());
        List<Slot> slots = new ArrayList<>(rowCount);
        PendingBatch batch = new PendingBatch(nextIndex++, rowCount, height, width, labelBits);
        int offset = 0;
        List<LoaderState.StreamPosition> after = new ArrayList<>(streams.size());
        for (int i = 0; i < streams.size(); i++) {
            DatasetStream s = streams.get(i);
            slices.add(new DatasetSlice(s.dataset(), offset, s.batchSize()));
            for (int j = 0; j < s.batchSize(); j++) {
                int row = offset++;
                // every position advances, so the state after the batch is the whole batch's; only this loader's
                // rows are read
                if (row >= firstRow && row < firstRow + rowCount) {
                    slots.add(new Slot(batch, s, row - firstRow, epochs[i], positions[i], s.permutation(epochs[i])));
                }
                if (++positions[i] == s.size()) {
                    positions[i] = 0;
                    epochs[i]++;
                }
            }
            after.add(new LoaderState.StreamPosition(s.dataset(), epochs[i], positions[i]));
        }
        batch.slices = List.copyOf(slices);
        batch.stateAfter = new LoaderState(seed, after);
        planned.addLast(batch);
        for (Slot slot : slots) {
            peakQueuedSamples.accumulateAndGet(queuedSamples.incrementAndGet(), Math::max);
            try {
                workers.execute(slot);
            } catch (RejectedExecutionException e) {
                queuedSamples.decrementAndGet();
                batch.done.completeExceptionally(new IllegalStateException("loader is closed", e));
            }
        }
    }

    /** Reads, transforms and copies one sample into its batch. */
    private void run(Slot slot) {
        DatasetException error = null;
        boolean loaded = false;
        try {
            if (!closed && !slot.batch.done.isDone()) {
                load(slot);
                loaded = true;
            }
        } catch (DatasetException e) {
            error = e;
        } catch (RuntimeException | Error e) {
            error = new DatasetException("Loading a sample of dataset '" + slot.stream.dataset() + "' (epoch "
                    + slot.epoch + ", position " + slot.position + ") failed: " + e + ".", e);
        } finally {
            // Before the batch completes, so that a consumer woken by it sees this task as finished.
            queuedSamples.decrementAndGet();
        }
        if (error != null) {
            slot.batch.done.completeExceptionally(error);
        } else if (loaded) {
            producedSamples.incrementAndGet();
            slot.batch.slotDone();
        }
    }

    private void load(Slot slot) {
        DatasetStream s = slot.stream;
        int n = slot.permutation.length;
        for (int attempt = 0; attempt < n; attempt++) {
            int listIndex = slot.permutation[(int) ((slot.position + attempt) % n)];
            if (skipBad && s.isKnownBad(listIndex)) {
                continue;
            }
            if (produce(slot, listIndex)) {
                return;
            }
        }
        throw new DatasetException("Every sample of " + s.reader().list().source() + " (dataset '" + s.dataset()
                + "') failed to read; see the warnings above for each file. Fix the data root or the list.");
    }

    /** Reads, transforms and copies one list entry into the slot; false if it is unreadable and skipped. */
    private boolean produce(Slot slot, int listIndex) {
        DatasetStream s = slot.stream;
        SplittableRandom random = new SplittableRandom(Seeds.of(Seeds.SAMPLE, seed, s.index(), slot.epoch,
                slot.position));
        if (trainChain != null) {
            Workspace ws = workspace.get();
            try {
                s.reader().readInto(s.reader().list().entries().get(listIndex), ws.decoded());
            } catch (DatasetException e) {
                return unreadable(s, listIndex, e);
            }
            peakOpenSamples.accumulateAndGet(openSamples.incrementAndGet(), Math::max);
            try {
                trainChain.apply(ws.decoded().image(), ws.decoded().label(), random, ws, slot.batch.images,
                        slot.batch.labels, slot.offset, s.lut());
            } catch (RuntimeException e) {
                throw transformFailure(s, listIndex, e);
            } finally {
                openSamples.decrementAndGet();
            }
            return true;
        }
        Sample sample;
        try {
            sample = s.reader().read(listIndex);
        } catch (DatasetException e) {
            return unreadable(s, listIndex, e);
        }
        peakOpenSamples.accumulateAndGet(openSamples.incrementAndGet(), Math::max);
        try (sample) {
            for (Transform step : steps) {
                step.apply(sample, random);
            }
            copy(sample, slot.batch, slot.offset, s);
        } catch (RuntimeException e) {
            throw transformFailure(s, listIndex, e);
        } finally {
            openSamples.decrementAndGet();
        }
        return true;
    }

    /** Fails with the list, line and files, or (with skipBad) records the entry as bad and returns false. */
    private boolean unreadable(DatasetStream s, int listIndex, DatasetException e) {
        if (!skipBad) {
            throw new DatasetException("Dataset '" + s.dataset() + "' split '" + s.split() + "', "
                    + s.describe(listIndex) + ": " + e.getMessage(), e);
        }
        if (s.markBad(listIndex)) {
            LOG.warn("Skipping bad sample of dataset '{}': {}", s.dataset(), e.getMessage());
        }
        return false;
    }

    private static DatasetException transformFailure(DatasetStream s, int listIndex, RuntimeException e) {
        return new DatasetException("Transforming " + s.describe(listIndex) + " of dataset '" + s.dataset()
                + "' failed: " + e.getMessage(), e);
    }

    private void copy(Sample sample, PendingBatch batch, int offset, DatasetStream stream) {
        Mat image = sample.image();
        Mat label = sample.label();
        if (image.rows() != height || image.cols() != width || image.type() != CV_32FC3
                || label.rows() != height || label.cols() != width || label.type() != CV_8UC1) {
            throw new IllegalStateException("the transforms produced a " + image.cols() + "x" + image.rows()
                    + " image (type " + image.type() + ") and a " + label.cols() + "x" + label.rows()
                    + " label (type " + label.type() + "), expected " + width + "x" + height + " CV_32FC3 and CV_8UC1");
        }
        int pixels = height * width;
        if (!image.isContinuous()) {
            try (Mat dense = image.clone()) {
                copyImage(dense, batch.images, offset * pixels * 3, pixels * 3);
            }
        } else {
            copyImage(image, batch.images, offset * pixels * 3, pixels * 3);
        }
        // 16-bit labels: the crop's 8-bit ids first, then through the 16-bit table (the val path; not hot).
        LabelBuffer.Bytes direct = batch.labels instanceof LabelBuffer.Bytes b ? b : null;
        byte[] bytes = direct != null ? direct.ids() : new byte[pixels];
        int start = direct != null ? offset * pixels : 0;
        byte[] lut = direct != null && stream.lut() != null ? ((LabelBuffer.Bytes) stream.lut()).ids() : null;
        if (!label.isContinuous()) {
            try (Mat dense = label.clone()) {
                copyLabel(dense, bytes, start, pixels, lut);
            }
        } else {
            copyLabel(label, bytes, start, pixels, lut);
        }
        if (batch.labels instanceof LabelBuffer.Shorts wide) {
            PooledTrainChain.widen(bytes, 0, wide.ids(), offset * pixels, pixels,
                    ((LabelBuffer.Shorts) stream.lut()).ids());
        }
    }

    private void copyImage(Mat image, float[] dst, int start, int length) {
        FloatBuffer src = image.createBuffer();
        src.get(dst, start, length);
        PooledTrainChain.normalise(dst, start, length, mean, std);
    }

    private static void copyLabel(Mat label, byte[] dst, int start, int length, byte[] lut) {
        ByteBuffer src = label.createBuffer();
        src.get(dst, start, length);
        PooledTrainChain.lookUp(dst, start, length, lut);
    }

    /** Peak number of sample tasks handed to the workers and not yet finished (at most prefetch × batch size). */
    int peakQueuedSamples() {
        return peakQueuedSamples.get();
    }

    /** Peak number of decoded samples alive at once (at most the thread count). */
    int peakOpenSamples() {
        return peakOpenSamples.get();
    }

    /** Batches planned and not yet returned (always the prefetch depth while open). */
    int plannedBatches() {
        return planned.size();
    }

    /** Samples fully produced so far. */
    long producedSamples() {
        return producedSamples.get();
    }

    /** Stops the workers and waits for the samples in progress to be released. Later calls do nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        workers.shutdownNow();
        try {
            // A worker inside OpenCV cannot be interrupted; wait so that its Mats are released before returning.
            if (!workers.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("Loader workers still busy 60 s after close; leaving them to finish in the background.");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        planned.clear();
        if (workers.isTerminated()) {
            workspaces.forEach(Workspace::close);
            workspaces.clear();
        }
    }

    /** A batch being filled by the workers. */
    private static final class PendingBatch {
        final long index;
        final float[] images;
        final LabelBuffer labels;
        final AtomicInteger remaining;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        List<DatasetSlice> slices;
        LoaderState stateAfter;

        PendingBatch(long index, int samples, int height, int width, int labelBits) {
            this.index = index;
            int pixels = samples * height * width;
            this.images = new float[pixels * 3];
            this.labels = LabelBuffer.allocate(labelBits, pixels);
            this.remaining = new AtomicInteger(samples);
        }

        void slotDone() {
            if (remaining.decrementAndGet() == 0) {
                done.complete(null);
            }
        }
    }

    /** One sample of a batch: which stream position fills which offset. */
    private final class Slot implements Runnable {
        final PendingBatch batch;
        final DatasetStream stream;
        final int offset;
        final long epoch;
        final long position;
        final int[] permutation;

        Slot(PendingBatch batch, DatasetStream stream, int offset, long epoch, long position, int[] permutation) {
            this.batch = batch;
            this.stream = stream;
            this.offset = offset;
            this.epoch = epoch;
            this.position = position;
            this.permutation = permutation;
        }

        @Override
        public void run() {
            MultiDatasetLoader.this.run(this);
        }
    }

    private static final class WorkerThreads implements ThreadFactory {
        private static final AtomicInteger LOADERS = new AtomicInteger();
        private final int loader = LOADERS.incrementAndGet();
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "mseg-loader-" + loader + "-worker-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }

    /** Configures a {@link MultiDatasetLoader}. */
    public static final class Builder {
        private PluginEnvironment environment;
        private TaxonomyConverter converter;
        private Path dataRoot;
        private Optional<Path> listsFolder = Optional.empty();
        private LabelTarget target = LabelTarget.UNIVERSAL;
        private List<StreamSpec> streams = List.of();
        private TransformParams params;
        private boolean train = true;
        private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private int prefetch = 2;
        private Long seed;
        private int firstRow;
        private int rowCount = -1;
        private LoaderState startAt;
        private boolean skipBad;
        private ReadPolicy readPolicy = ReadPolicy.DEFAULT;

        private Builder() {
        }

        /** Where datasets and taxonomies are looked up (required). */
        public Builder environment(PluginEnvironment environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /** The taxonomy converter for the label lookup; default: built from the environment. */
        public Builder converter(TaxonomyConverter converter) {
            this.converter = Objects.requireNonNull(converter, "converter");
            return this;
        }

        /** The folder holding the dataset folders (required). */
        public Builder dataRoot(Path dataRoot) {
            this.dataRoot = Objects.requireNonNull(dataRoot, "dataRoot");
            return this;
        }

        /** Folder of split lists ({@code <lists>/<dataset>/list/<split>.txt}); empty: the bundled lists (default). */
        public Builder listsFolder(Optional<Path> listsFolder) {
            this.listsFolder = Objects.requireNonNull(listsFolder, "listsFolder");
            return this;
        }

        /** The training taxonomy of the labels; default {@link LabelTarget#UNIVERSAL}. */
        public Builder target(LabelTarget target) {
            this.target = Objects.requireNonNull(target, "target");
            return this;
        }

        /** The dataset streams, in batch order (required, at least one, each dataset once). */
        public Builder streams(List<StreamSpec> streams) {
            this.streams = List.copyOf(streams);
            return this;
        }

        /** The transform parameters (required); crops are always {@code train_h × train_w}. */
        public Builder params(TransformParams params) {
            this.params = Objects.requireNonNull(params, "params");
            return this;
        }

        /** True (default) for MSeg's train chain, false for its val chain (center crop). */
        public Builder train(boolean train) {
            this.train = train;
            return this;
        }

        /** Worker threads; default the number of processors. */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new ConfigException("Loader threads must be at least 1, got " + threads + ".");
            }
            this.threads = threads;
            return this;
        }

        /** Batches prepared ahead of the consumer, which bounds memory; default 2. */
        public Builder prefetch(int prefetch) {
            if (prefetch < 1) {
                throw new ConfigException("Loader prefetch must be at least 1 batch, got " + prefetch + ".");
            }
            this.prefetch = prefetch;
            return this;
        }

        /**
         * Loads only rows {@code first .. first + count - 1} of every batch (one process's share of a cluster's
         * batch): the samples of the other rows are planned, so that the streams advance as for the whole batch, but
         * never read. The default is every row.
         */
        public Builder rows(int first, int count) {
            this.firstRow = first;
            this.rowCount = count;
            return this;
        }

        /** The seed of every permutation and random transform; default 0, or the seed of {@link #startAt}. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Resume at a saved state ({@link Batch#sourceState()} through {@link LoaderState#fromMap}); {@code null}
         * starts at the beginning.
         */
        public Builder startAt(LoaderState state) {
            this.startAt = state;
            return this;
        }

        /** Skip unreadable samples instead of failing (default false). */
        public Builder skipBad(boolean skipBad) {
            this.skipBad = skipBad;
            return this;
        }

        /**
         * Image size limit and path confinement of the readers ({@code DATA.max_image_pixels},
         * {@code DATA.permit_paths_outside_root}); default {@link ReadPolicy#DEFAULT}. A sample it refuses is bad data,
         * skipped with {@link #skipBad}.
         */
        public Builder readPolicy(ReadPolicy readPolicy) {
            this.readPolicy = Objects.requireNonNull(readPolicy, "readPolicy");
            return this;
        }

        /**
         * Reads the split lists, builds the label lookups and starts the workers.
         *
         * @throws ConfigException  if a required setting is missing, a dataset is repeated, the label lookup does not
         *                          fit 8-bit labels, or the start state does not match the streams
         * @throws DatasetException if a list cannot be read, is unlabeled or empty
         * @throws org.mseg.api.PluginException if a dataset or taxonomy is unknown
         */
        public MultiDatasetLoader build() {
            if (environment == null) {
                throw new ConfigException("The loader needs a plugin environment (environment(...)).");
            }
            if (dataRoot == null) {
                throw new ConfigException("The loader needs a data root. Pass --data-root <folder> or set "
                        + DataRoot.ENV + ".");
            }
            if (params == null) {
                throw new ConfigException("The loader needs the transform parameters (TRAIN.short_size, scale_min,"
                        + " scale_max, rotate_min, rotate_max, train_h, train_w, ignore_label).");
            }
            if (streams.isEmpty()) {
                throw new ConfigException("The loader needs at least one dataset (TRAIN.dataset).");
            }
            TaxonomyConverter conv = converter != null ? converter : TaxonomyConverter.of(environment);
            DataRoot root = new DataRoot(dataRoot);
            long effectiveSeed = seed != null ? seed : startAt != null ? startAt.seed() : 0L;
            if (startAt != null && seed != null && startAt.seed() != seed) {
                throw new ConfigException("The loader state to resume from has seed " + startAt.seed()
                        + " but the loader was given seed " + seed + ". Resume with the checkpoint's seed.");
            }
            Set<String> seen = new HashSet<>();
            List<DatasetStream> built = new ArrayList<>();
            for (StreamSpec spec : streams) {
                if (!seen.add(spec.dataset())) {
                    throw new ConfigException("Dataset '" + spec.dataset() + "' is configured twice; list each"
                            + " dataset once and set its batch size instead.");
                }
                DatasetDefinition def = environment.datasets().get(spec.dataset());
                SplitList list = SplitList.read(def, spec.split(), listsFolder);
                if (!list.labeled()) {
                    throw new DatasetException("Split '" + spec.split() + "' of dataset '" + def.name() + "' ("
                            + list.source() + ") has no labels; the loader needs a labeled split such as 'train'.");
                }
                if (list.size() == 0) {
                    throw new DatasetException("Split list " + list.source() + " of dataset '" + def.name()
                            + "' is empty; the loader needs at least one sample per dataset.");
                }
                SampleReader reader = SampleReader.of(def, root, list, environment.taxonomies(), readPolicy);
                TaxonomyMapping mapping = mapping(conv, def);
                boolean wideTarget = mapping != null && mapping.ignoreId() > TaxonomyDefinition.IGNORE_ID;
                built.add(new DatasetStream(built.size(), def.name(), spec.split(), spec.batchSize(), reader,
                        root.folderOf(def), wideTarget ? LabelBuffer.of(mapping.toShortLut()) : lut(mapping, def),
                        effectiveSeed));
            }
            long values = (long) built.stream().mapToInt(DatasetStream::batchSize).sum() * params.trainH()
                    * params.trainW() * 3;
            if (values > Integer.MAX_VALUE - 8) {
                throw new ConfigException("A batch of " + params.trainW() + "x" + params.trainH() + " crops with"
                        + " batch sizes " + streams + " does not fit one Java array; reduce the batch or crop size.");
            }
            long[] epochs = new long[built.size()];
            long[] positions = new long[built.size()];
            long firstIndex = startAt == null ? 0 : resume(built, epochs, positions);
            return new MultiDatasetLoader(this, built, effectiveSeed, epochs, positions, firstIndex);
        }

        private TaxonomyMapping mapping(TaxonomyConverter conv, DatasetDefinition def) {
            return switch (target) {
                case UNIVERSAL -> conv.toUniversal(def.taxonomy());
                case NAIVE -> conv.toNaive(def.taxonomy());
                case OWN -> null;
            };
        }

        private LabelBuffer lut(TaxonomyMapping mapping, DatasetDefinition def) {
            if (mapping == null) {
                return null;
            }
            try {
                return LabelBuffer.of(mapping.toByteLut());
            } catch (IllegalStateException e) {
                throw new ConfigException("Labels of dataset '" + def.name() + "' cannot be converted to the "
                        + mapping.to().name() + " taxonomy in 8-bit batches: " + e.getMessage() + ". Train in a"
                        + " taxonomy of at most 255 classes.", e);
            }
        }

        /** Sets the positions from the start state; returns the index of the first batch. */
        private long resume(List<DatasetStream> built, long[] epochs, long[] positions) {
            List<String> names = built.stream().map(DatasetStream::dataset).toList();
            List<String> saved = startAt.streams().stream().map(LoaderState.StreamPosition::dataset).toList();
            if (!new HashSet<>(names).equals(new HashSet<>(saved)) || saved.size() != names.size()) {
                throw new ConfigException("The loader state to resume from has datasets " + saved
                        + " but the loader is configured with " + names + ". Resume with the checkpoint's datasets.");
            }
            long firstIndex = -1;
            for (DatasetStream s : built) {
                LoaderState.StreamPosition p = startAt.streams().stream()
                        .filter(x -> x.dataset().equals(s.dataset())).findFirst().orElseThrow();
                if (p.position() >= s.size()) {
                    throw new ConfigException("The loader state puts dataset '" + s.dataset() + "' at position "
                            + p.position() + " of epoch " + p.epoch() + ", but its list " + s.reader().list().source()
                            + " has " + s.size() + " entries: the list changed since the checkpoint.");
                }
                epochs[s.index()] = p.epoch();
                positions[s.index()] = p.position();
                long consumed = p.epoch() * s.size() + p.position();
                long batches = consumed / s.batchSize();
                if (consumed % s.batchSize() != 0 || (firstIndex >= 0 && batches != firstIndex)) {
                    throw new ConfigException("The loader state (" + startAt.streams() + ") does not fit the"
                            + " configured batch sizes and lists: dataset '" + s.dataset() + "' has consumed "
                            + consumed + " samples with batch size " + s.batchSize() + ". Resume with the"
                            + " checkpoint's batch sizes and lists.");
                }
                firstIndex = batches;
            }
            return firstIndex;
        }
    }
}
