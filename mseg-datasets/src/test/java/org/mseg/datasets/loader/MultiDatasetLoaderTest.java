package org.mseg.datasets.loader;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.ConfigException;
import org.mseg.api.DatasetException;
import org.mseg.api.PluginException;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.mseg.datasets.DataRoot;
import org.mseg.datasets.EncodedImages;
import org.mseg.datasets.LabelBuffer;
import org.mseg.datasets.ReadPolicy;
import org.mseg.datasets.Sample;
import org.mseg.datasets.SampleReader;
import org.mseg.datasets.SplitList;
import org.mseg.datasets.transform.LabelLookup;
import org.mseg.datasets.transform.TransformChain;
import org.mseg.datasets.transform.TransformParams;
import org.mseg.taxonomy.TaxonomyMapping;

/** The multi-dataset loader over small datasets written with OpenCV, read through the built-in providers. */
class MultiDatasetLoaderTest {
    private static final String CITY = "cityscapes-19";
    private static final String SUN = "sunrgbd-37";

    @TempDir
    Path dir;

    private LoaderFixture fx;

    @BeforeEach
    void writeDatasets() {
        fx = new LoaderFixture(dir);
        fx.dataset(CITY, "Cityscapes", 5, 30, 40, 19, Set.of());
        fx.dataset(SUN, "SUNRGBD", 7, 36, 28, 37, Set.of());
    }

    private List<StreamSpec> twoStreams() {
        return List.of(new StreamSpec(CITY, "train", 2), new StreamSpec(SUN, "train", 3));
    }

    private MultiDatasetLoader.Builder trainLoader() {
        return fx.builder().streams(twoStreams()).params(LoaderFixture.trainParams()).seed(7).threads(2);
    }

    private static List<Batch> take(MultiDatasetLoader loader, int n) {
        List<Batch> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(loader.next());
        }
        return out;
    }

    private static void assertSameContent(Batch expected, Batch actual) {
        assertEquals(expected.index(), actual.index());
        assertEquals(expected.slices(), actual.slices());
        assertEquals(stateAfter(expected), stateAfter(actual));
        assertArrayEquals(expected.images(), actual.images(), "images of batch " + expected.index());
        assertArrayEquals(labelBytes(expected), labelBytes(actual), "labels of batch " + expected.index());
    }

    /** The loader's position after a batch, as it travels in the batch's source state. */
    private static LoaderState stateAfter(Batch b) {
        return LoaderState.fromMap(b.sourceState());
    }

    /** The 8-bit labels of a batch. */
    private static byte[] labelBytes(Batch b) {
        return ((LabelBuffer.Bytes) b.labels()).ids();
    }

    /** The sample ids of each crop of a val-chain batch whose crops are the whole images. */
    private static int[] sampleIds(Batch b) {
        int pixels = b.height() * b.width();
        return IntStream.range(0, b.size()).map(i -> LoaderFixture.sampleOf(b.images()[i * pixels * 3])).toArray();
    }

    @Test
    void batchHoldsEachDatasetsCropsContiguouslyNormalisedAndInUniversalIds() {
        try (MultiDatasetLoader loader = trainLoader().build()) {
            assertEquals(List.of(CITY, SUN), loader.datasets());
            Batch b = loader.next();
            assertEquals(0, b.index());
            assertEquals(5, b.size());
            assertEquals(24, b.height());
            assertEquals(20, b.width());
            assertEquals(List.of(new DatasetSlice(CITY, 0, 2), new DatasetSlice(SUN, 2, 3)), b.slices());
            assertEquals(5 * 24 * 20 * 3, b.images().length);
            assertEquals(5 * 24 * 20, b.labels().length());
            // Normalised 0..255 RGB lies within these bounds for every channel.
            double lo = (0 - 123.675) / 58.395;
            double hi = (255 - 103.53) / 57.375;
            for (float v : b.images()) {
                assertTrue(v >= lo - 1e-4 && v <= hi + 1e-4, "value " + v + " is not normalised");
            }
            assertLabelsIn(b, 0, 2, CITY, 19);
            assertLabelsIn(b, 2, 3, SUN, 37);
            assertEquals(new LoaderState(7, List.of(new LoaderState.StreamPosition(CITY, 0, 2),
                    new LoaderState.StreamPosition(SUN, 0, 3))), stateAfter(b));
        }
    }

    private static void assertLabelsIn(Batch b, int offset, int count, String dataset, int classes) {
        TaxonomyMapping toUniversal = LoaderFixture.CONVERTER.toUniversal(dataset);
        Set<Integer> allowed = new TreeSet<>();
        allowed.add(255);
        for (int id = 0; id < classes; id++) {
            allowed.add(toUniversal.apply(id));
        }
        int pixels = b.height() * b.width();
        Set<Integer> seen = new TreeSet<>();
        for (int i = offset * pixels; i < (offset + count) * pixels; i++) {
            seen.add(b.labels().get(i));
        }
        assertTrue(allowed.containsAll(seen), dataset + " labels " + seen + " are not universal ids " + allowed);
        assertTrue(seen.size() > 2, "crops of " + dataset + " should show several classes: " + seen);
    }

    @Test
    void everyCropEqualsMsegsTrainChainWithItsSamplesGenerator() {
        // Crops 24x20 from images scaled to a short side of 16..64: padded, rotated, blurred and flipped crops occur.
        TransformParams params = LoaderFixture.trainParams();
        long seed = 7;
        int[] listSizes = {5, 7};
        int[] batchSizes = {2, 3};
        String[] names = {CITY, SUN};
        try (MultiDatasetLoader loader = trainLoader().build()) {
            for (int k = 0; k < 6; k++) {
                Batch b = loader.next();
                int offset = 0;
                for (int stream = 0; stream < 2; stream++) {
                    for (int j = 0; j < batchSizes[stream]; j++) {
                        long drawn = (long) k * batchSizes[stream] + j;
                        assertCropIsChainOutput(b, offset++, stream, names[stream], drawn / listSizes[stream],
                                drawn % listSizes[stream], seed, params);
                    }
                }
            }
        }
    }

    private void assertCropIsChainOutput(Batch b, int offset, int stream, String dataset, long epoch,
            long position, long seed, TransformParams params) {
        SplitList list = SplitList.read(LoaderFixture.ENV.datasets().get(dataset), "train", Optional.of(fx.lists));
        SampleReader reader = SampleReader.of(LoaderFixture.ENV.datasets().get(dataset), new DataRoot(fx.root), list,
                LoaderFixture.ENV.taxonomies());
        int listIndex = DatasetStream.permutation(seed, stream, epoch, list.size())[(int) position];
        TransformChain chain = TransformChain.train(params,
                Optional.of(LabelLookup.of(LoaderFixture.CONVERTER.toUniversal(dataset))));
        try (Sample s = reader.read(listIndex)) {
            chain.apply(s, new SplittableRandom(Seeds.of(Seeds.SAMPLE, seed, stream, epoch, position)));
            int pixels = b.height() * b.width();
            float[] image = new float[pixels * 3];
            FloatBuffer buf = s.image().createBuffer();
            buf.get(image);
            byte[] label = new byte[pixels];
            s.label().data().get(label);
            String where = "crop " + offset + " of batch " + b.index() + " (" + dataset + ", epoch " + epoch
                    + ", position " + position + ")";
            assertArrayEquals(image, Arrays.copyOfRange(b.images(), offset * pixels * 3, (offset + 1) * pixels * 3),
                    where);
            assertArrayEquals(label, Arrays.copyOfRange(labelBytes(b), offset * pixels, (offset + 1) * pixels), where);
        }
    }

    @Test
    void valChainCentreCropsToTheTrainSize() {
        TransformParams params = new TransformParams(30, 0.5, 2.0, -10, 10, 10, 12, 255);
        try (MultiDatasetLoader loader = fx.builder().streams(List.of(new StreamSpec(CITY, "train", 1)))
                .params(params).train(false).seed(3).threads(1).build()) {
            Batch b = loader.next();
            assertEquals(10, b.height());
            assertEquals(12, b.width());
            SplitList list = SplitList.read(LoaderFixture.ENV.datasets().get(CITY), "train", Optional.of(fx.lists));
            SampleReader reader = SampleReader.of(LoaderFixture.ENV.datasets().get(CITY), new DataRoot(fx.root),
                    list, LoaderFixture.ENV.taxonomies());
            int listIndex = DatasetStream.permutation(3, 0, 0, list.size())[0];
            try (Sample s = reader.read(listIndex)) {
                TransformChain.val(params, Optional.of(LabelLookup.of(LoaderFixture.CONVERTER.toUniversal(CITY))))
                        .apply(s, new SplittableRandom(0));
                float[] image = new float[10 * 12 * 3];
                s.image().<FloatBuffer>createBuffer().get(image);
                byte[] label = new byte[10 * 12];
                s.label().data().get(label);
                assertArrayEquals(image, b.images());
                assertArrayEquals(label, labelBytes(b));
            }
        }
    }

    @Test
    void eachStreamReshufflesEveryEpochIndependently() {
        fx.dataset("bdd", "BDD/bdd100k", 8, 6, 5, 19, Set.of());
        fx.dataset("idd-39", "IDD/IDD_Segmentation", 8, 6, 5, 39, Set.of());
        long seed = 11;
        List<List<Integer>> first = new ArrayList<>();
        List<List<Integer>> second = new ArrayList<>();
        try (MultiDatasetLoader loader = fx.builder()
                .streams(List.of(new StreamSpec("bdd", "train", 2), new StreamSpec("idd-39", "train", 4)))
                .params(LoaderFixture.cropParams(6, 5)).train(false).seed(seed).threads(2).build()) {
            List<Integer> a = new ArrayList<>();
            List<Integer> v = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                int[] ids = sampleIds(loader.next());
                a.add(ids[0]);
                a.add(ids[1]);
                for (int j = 2; j < 6; j++) {
                    v.add(ids[j]);
                }
            }
            // 12 batches: 24 camvid crops = 3 epochs, 48 voc crops = 6 epochs.
            for (int e = 0; e < 3; e++) {
                first.add(a.subList(8 * e, 8 * e + 8));
            }
            for (int e = 0; e < 6; e++) {
                second.add(v.subList(8 * e, 8 * e + 8));
            }
        }
        List<Integer> all = IntStream.range(0, 8).boxed().toList();
        for (int e = 0; e < first.size(); e++) {
            assertEquals(new TreeSet<>(all), new TreeSet<>(first.get(e)), "epoch " + e + " visits every sample once");
            assertEquals(toList(DatasetStream.permutation(seed, 0, e, 8)), first.get(e));
        }
        for (int e = 0; e < second.size(); e++) {
            assertEquals(new TreeSet<>(all), new TreeSet<>(second.get(e)));
            assertEquals(toList(DatasetStream.permutation(seed, 1, e, 8)), second.get(e));
        }
        assertEquals(3, new HashSet<>(first).size(), "every epoch has its own order: " + first);
        assertEquals(6, new HashSet<>(second).size(), "every epoch has its own order: " + second);
        assertNotEquals(first.get(0), second.get(0), "streams shuffle independently");
    }

    private static List<Integer> toList(int[] a) {
        return Arrays.stream(a).boxed().toList();
    }

    @Test
    void sameSeedGivesIdenticalBatchesWhateverTheThreadCount() {
        List<Batch> one;
        List<Batch> three;
        List<Batch> otherSeed;
        try (MultiDatasetLoader loader = trainLoader().threads(1).prefetch(1).build()) {
            one = take(loader, 4);
        }
        try (MultiDatasetLoader loader = trainLoader().threads(3).prefetch(3).build()) {
            three = take(loader, 4);
        }
        try (MultiDatasetLoader loader = trainLoader().seed(8).build()) {
            otherSeed = take(loader, 1);
        }
        for (int i = 0; i < 4; i++) {
            assertSameContent(one.get(i), three.get(i));
        }
        assertFalse(Arrays.equals(one.get(0).images(), otherSeed.get(0).images()));
    }

    /**
     * One process's share of a cluster's batch: rows 1..3 straddle both datasets; they must equal those rows of the
     * whole batch, batch after batch (the streams advance as for the whole batch), with the whole batch's state.
     */
    @Test
    void aLoaderOfSomeRowsReadsExactlyThoseRowsOfTheWholeBatch() {
        List<Batch> whole;
        List<Batch> part;
        try (MultiDatasetLoader loader = trainLoader().build()) {
            whole = take(loader, 4);
        }
        try (MultiDatasetLoader loader = trainLoader().rows(1, 3).build()) {
            part = take(loader, 4);
        }
        int pixels = 24 * 20;
        for (int i = 0; i < 4; i++) {
            Batch w = whole.get(i);
            Batch p = part.get(i);
            assertEquals(1, p.firstRow());
            assertEquals(3, p.rowCount());
            assertEquals(5, p.size());
            assertFalse(p.whole());
            assertTrue(w.whole());
            assertEquals(w.slices(), p.slices());
            assertEquals(stateAfter(w), stateAfter(p));
            assertArrayEquals(Arrays.copyOfRange(w.images(), pixels * 3, 4 * pixels * 3), p.images());
            assertArrayEquals(Arrays.copyOfRange(labelBytes(w), pixels, 4 * pixels), labelBytes(p));
        }
        ConfigException e = assertThrows(ConfigException.class, () -> trainLoader().rows(3, 3).build());
        assertTrue(e.getMessage().contains("rows 3..5") && e.getMessage().contains("5 crops"), e.getMessage());
    }

    @Test
    void resumingFromAStateYieldsExactlyTheNextBatch() {
        List<Batch> straight;
        try (MultiDatasetLoader loader = trainLoader().build()) {
            straight = take(loader, 5);
        }
        // Through the JSON-friendly form, with numbers as a JSON reader may return them.
        Map<String, Object> saved = stateAfter(straight.get(2)).toMap();
        LoaderState restored = LoaderState.fromMap(jsonLike(saved));
        assertEquals(stateAfter(straight.get(2)), restored);
        try (MultiDatasetLoader loader = fx.builder().streams(twoStreams()).params(LoaderFixture.trainParams())
                .threads(1).startAt(restored).build()) {
            assertSameContent(straight.get(3), loader.next());
            assertSameContent(straight.get(4), loader.next());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> jsonLike(Map<String, Object> m) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("seed", ((Number) m.get("seed")).intValue());
        List<Object> streams = new ArrayList<>();
        for (Object o : (List<Object>) m.get("streams")) {
            Map<String, Object> s = (Map<String, Object>) o;
            streams.add(Map.of("dataset", s.get("dataset"), "epoch", ((Number) s.get("epoch")).doubleValue(),
                    "position", String.valueOf(s.get("position"))));
        }
        out.put("streams", streams);
        return out;
    }

    @Test
    void resumingRejectsAStateOfOtherDatasetsOrBatchSizes() {
        LoaderState other = new LoaderState(7, List.of(new LoaderState.StreamPosition(CITY, 0, 2)));
        assertThrows(ConfigException.class, () -> trainLoader().startAt(other).build().close());
        LoaderState odd = new LoaderState(7, List.of(new LoaderState.StreamPosition(CITY, 0, 2),
                new LoaderState.StreamPosition(SUN, 0, 4)));
        ConfigException e = assertThrows(ConfigException.class, () -> trainLoader().startAt(odd).build().close());
        assertTrue(e.getMessage().contains("batch size"), e.getMessage());
        LoaderState otherSeed = new LoaderState(9, List.of(new LoaderState.StreamPosition(CITY, 0, 2),
                new LoaderState.StreamPosition(SUN, 0, 3)));
        assertThrows(ConfigException.class, () -> trainLoader().startAt(otherSeed).build().close());
    }

    @Test
    void memoryStaysBoundedWhenTheConsumerIsSlow() throws InterruptedException {
        try (MultiDatasetLoader loader = trainLoader().threads(2).prefetch(2).build()) {
            // Workers run ahead only by the prefetch depth, however long the consumer waits.
            Thread.sleep(400);
            assertEquals(2, loader.plannedBatches());
            assertTrue(loader.producedSamples() <= 2 * 5, "produced " + loader.producedSamples());
            for (int i = 0; i < 25; i++) {
                loader.next();
                Thread.sleep(5);
                assertEquals(2, loader.plannedBatches());
                assertTrue(loader.producedSamples() <= (i + 3) * 5L, "produced " + loader.producedSamples());
            }
            assertTrue(loader.peakQueuedSamples() <= 2 * 5, "queued " + loader.peakQueuedSamples());
            assertTrue(loader.peakOpenSamples() <= 2, "open " + loader.peakOpenSamples());
        }
    }

    @Test
    void anUnreadableSampleFailsNextNamingListLineAndFiles() {
        fx.dataset(CITY, "Cityscapes", 3, 30, 40, 19, Set.of(1));
        try (MultiDatasetLoader loader = fx.builder().streams(List.of(new StreamSpec(CITY, "train", 3)))
                .params(LoaderFixture.trainParams()).threads(2).build()) {
            DatasetException e = assertThrows(DatasetException.class, loader::next);
            String list = fx.lists.resolve(CITY).resolve("list").resolve("train.txt").toString();
            assertTrue(e.getMessage().contains(list + " line 2"), e.getMessage());
            assertTrue(e.getMessage().contains(fx.root.resolve("Cityscapes/lab/cityscapes-19_1.png").toString()),
                    e.getMessage());
            assertTrue(e.getMessage().contains(fx.root.resolve("Cityscapes/img/cityscapes-19_1.png").toString()),
                    e.getMessage());
            DatasetException again = assertThrows(DatasetException.class, loader::next);
            assertEquals(e.getMessage(), again.getMessage());
        }
    }

    @Test
    void skipBadReplacesBadSamplesDeterministicallyAndCountsThem() {
        fx.dataset(CITY, "Cityscapes", 6, 6, 5, 19, Set.of(1, 4));
        fx.dataset(SUN, "SUNRGBD", 4, 6, 5, 37, Set.of());
        List<StreamSpec> specs = List.of(new StreamSpec(CITY, "train", 3), new StreamSpec(SUN, "train", 1));
        List<Batch> a;
        List<Batch> b;
        try (MultiDatasetLoader loader = fx.builder().streams(specs).params(LoaderFixture.cropParams(6, 5))
                .train(false).skipBad(true).threads(2).build()) {
            a = take(loader, 6);
            assertEquals(Map.of(CITY, 2L, SUN, 0L), loader.skippedSamples());
        }
        try (MultiDatasetLoader loader = fx.builder().streams(specs).params(LoaderFixture.cropParams(6, 5))
                .train(false).skipBad(true).threads(1).build()) {
            b = take(loader, 6);
        }
        for (int i = 0; i < 6; i++) {
            assertSameContent(a.get(i), b.get(i));
            int[] ids = sampleIds(a.get(i));
            for (int j = 0; j < 3; j++) {
                assertTrue(ids[j] != 1 && ids[j] != 4, "bad sample " + ids[j] + " in batch " + i);
            }
        }
        // Positions advance one per crop even when a bad entry is replaced: 6 batches x 3 = 3 epochs of 6.
        assertEquals(new LoaderState.StreamPosition(CITY, 3, 0), stateAfter(a.get(5)).streams().get(0));
    }

    @Test
    void theTrainChainCountsTruncatedOversizedAndOutsideRootSamplesAsBad() throws IOException {
        fx.dataset(CITY, "Cityscapes", 6, 12, 10, 19, Set.of());
        Path city = fx.root.resolve("Cityscapes");
        // 1: a JPEG cut at 40 % (decoders go by content, not by the name's extension)
        Files.write(city.resolve("img/cityscapes-19_1.png"),
                EncodedImages.cut(EncodedImages.encode(".jpg", 12, 10), 0.4));
        // 3: a readable 16x16 pair, above the 150-pixel limit set below
        Files.write(city.resolve("img/cityscapes-19_3.png"), EncodedImages.encode(".png", 16, 16));
        try (Scalar zero = new Scalar(0); Mat label = new Mat(16, 16, CV_8UC1, zero)) {
            assertTrue(imwrite(city.resolve("lab/cityscapes-19_3.png").toString(), label));
        }
        // 5: a readable pair outside the data root, reached by '..' from the dataset folder
        Path outside = Files.createDirectories(fx.root.resolveSibling("outside"));
        Files.copy(city.resolve("img/cityscapes-19_5.png"), outside.resolve("img.png"));
        Files.copy(city.resolve("lab/cityscapes-19_5.png"), outside.resolve("lab.png"));
        Path list = fx.lists.resolve(CITY).resolve("list").resolve("train.txt");
        List<String> lines = new ArrayList<>(Files.readAllLines(list));
        lines.set(5, "../../outside/img.png ../../outside/lab.png");
        Files.write(list, lines);

        ReadPolicy policy = new ReadPolicy(150, false);
        List<StreamSpec> specs = List.of(new StreamSpec(CITY, "train", 3));
        try (MultiDatasetLoader loader = fx.builder().streams(specs).params(LoaderFixture.trainParams())
                .readPolicy(policy).skipBad(true).threads(1).build()) {
            take(loader, 6);
            assertEquals(Map.of(CITY, 3L), loader.skippedSamples());
        }
        try (MultiDatasetLoader loader = fx.builder().streams(specs).params(LoaderFixture.trainParams())
                .readPolicy(policy).threads(1).build()) {
            DatasetException e = assertThrows(DatasetException.class, () -> take(loader, 6));
            assertTrue(e.getMessage().contains(list + " line "), e.getMessage());
        }
    }

    @Test
    void skipBadStillFailsWhenEverySampleIsBad() {
        fx.dataset(CITY, "Cityscapes", 2, 6, 5, 19, Set.of(0, 1));
        try (MultiDatasetLoader loader = fx.builder().streams(List.of(new StreamSpec(CITY, "train", 1)))
                .params(LoaderFixture.cropParams(6, 5)).skipBad(true).build()) {
            DatasetException e = assertThrows(DatasetException.class, loader::next);
            assertTrue(e.getMessage().contains("Every sample"), e.getMessage());
        }
    }

    @Test
    void ownTargetKeepsTheDatasetsIds() {
        try (MultiDatasetLoader loader = fx.builder().streams(List.of(new StreamSpec(CITY, "train", 1)))
                .params(LoaderFixture.cropParams(30, 40)).train(false).target(LabelTarget.OWN).seed(5).build()) {
            Batch b = loader.next();
            int k = sampleIds(b)[0];
            for (int r = 0; r < 30; r++) {
                for (int c = 0; c < 40; c++) {
                    assertEquals(LoaderFixture.labelValue(k, r, c, 19), b.labels().get(r * 40 + c));
                }
            }
        }
    }

    @Test
    void naiveTargetGivesSixteenBitIdsAbove255WithWideIgnore() {
        // SUN RGB-D comes last in the naive taxonomy's order, so its classes new to it get ids above 255. A 48x190
        // sample uses all 37 SUN RGB-D classes.
        fx.dataset(SUN, "SUNRGBD", 2, 48, 190, 37, Set.of());
        TaxonomyMapping toNaive = LoaderFixture.CONVERTER.toNaive(SUN);
        assertTrue(IntStream.range(0, 37).anyMatch(i -> toNaive.apply(i) > 255), "SUN RGB-D has naive ids > 255");
        assertEquals(TaxonomyMapping.WIDE_IGNORE_ID, toNaive.apply(255));
        try (MultiDatasetLoader loader = fx.builder().streams(List.of(new StreamSpec(SUN, "train", 1)))
                .params(LoaderFixture.cropParams(48, 190)).train(false).target(LabelTarget.NAIVE).seed(5).build()) {
            Batch b = loader.next();
            assertEquals(16, b.labels().bits());
            assertTrue(b.labels() instanceof LabelBuffer.Shorts, "no 8-bit labels beside the 16-bit ones");
            int k = sampleIds(b)[0];
            int above255 = 0;
            for (int r = 0; r < 48; r++) {
                for (int c = 0; c < 190; c++) {
                    int own = LoaderFixture.labelValue(k, r, c, 37);
                    int naive = b.labels().get(r * 190 + c);
                    assertEquals(own == 255 ? 65535 : toNaive.apply(own), naive, "pixel " + r + "," + c);
                    above255 += naive > 255 && naive != 65535 ? 1 : 0;
                }
            }
            assertTrue(above255 > 0, "some pixels carry naive ids above 255");
        }
    }

    @Test
    void naiveTrainCropsAreTheOwnIdCropsThroughTheSixteenBitTable() {
        // Same seed, same crops: the train chain with naive targets equals the one keeping the dataset's ids, each
        // label mapped to its naive id and ignore to 65535.
        TransformParams params = LoaderFixture.trainParams();
        List<StreamSpec> sun = List.of(new StreamSpec(SUN, "train", 3));
        TaxonomyMapping toNaive = LoaderFixture.CONVERTER.toNaive(SUN);
        try (MultiDatasetLoader own = fx.builder().streams(sun).params(params).target(LabelTarget.OWN).seed(3)
                .threads(2).build();
                MultiDatasetLoader naive = fx.builder().streams(sun).params(params).target(LabelTarget.NAIVE)
                        .seed(3).threads(2).build()) {
            for (int i = 0; i < 3; i++) {
                Batch o = own.next();
                Batch n = naive.next();
                assertArrayEquals(o.images(), n.images());
                assertEquals(16, n.labels().bits());
                short[] expected = new short[o.labels().length()];
                for (int p = 0; p < expected.length; p++) {
                    expected[p] = (short) toNaive.apply(o.labels().get(p));
                }
                assertArrayEquals(expected, ((LabelBuffer.Shorts) n.labels()).ids(), "labels of batch " + i);
            }
        }
    }

    @Test
    void configurationErrorsFailAtBuild() {
        assertThrows(ConfigException.class, () -> fx.builder().streams(List.of(new StreamSpec(CITY, "train", 1),
                new StreamSpec(CITY, "train", 2))).params(LoaderFixture.trainParams()).build().close());
        PluginException unknown = assertThrows(PluginException.class, () -> fx.builder()
                .streams(List.of(new StreamSpec("cityscape-19", "train", 1))).params(LoaderFixture.trainParams())
                .build().close());
        assertTrue(unknown.getMessage().contains("cityscape-19"), unknown.getMessage());
        assertThrows(ConfigException.class, () -> fx.builder().params(LoaderFixture.trainParams()).build());
        assertThrows(ConfigException.class, () -> fx.builder().streams(twoStreams()).build());
        assertThrows(DatasetException.class, () -> fx.builder().streams(List.of(new StreamSpec(CITY, "val", 1)))
                .params(LoaderFixture.trainParams()).build().close());
        assertThrows(ConfigException.class, () -> new StreamSpec(CITY, "train", 0));
    }

    @Test
    void nextAfterCloseIsRefused() {
        MultiDatasetLoader loader = trainLoader().build();
        loader.next();
        loader.close();
        loader.close();
        assertThrows(IllegalStateException.class, loader::next);
    }
}
