package org.mseg.datasets.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.datasets.LabelBuffer;

class ResultsWriterTest {
    static final List<String> NAMES = List.of("road", "sky", "car");

    /** IouAccumulatorTest's example with class 1 excluded. */
    static SegmentationMetrics example() {
        IouAccumulator acc = new IouAccumulator(3);
        acc.add(LabelBuffer.of(IouAccumulatorTest.PRED), LabelBuffer.of(IouAccumulatorTest.TARGET));
        return acc.compute(Set.of(1));
    }

    @Test
    void resultsTxtIsByteExactWithExcludedClassesLeftOut(@TempDir Path dir) throws Exception {
        String expected = "Eval result: mIoU/mAcc/allAcc 0.6667/0.7500/0.6000.\n"
                + "Class_00 result: iou/accuracy 0.3333/0.5000, name: road.\n"
                + "Class_02 result: iou/accuracy 1.0000/1.0000, name: car.\n";
        assertEquals(expected, ResultsWriter.text(example(), NAMES));
        ResultsWriter.write(dir.resolve("out"), example(), NAMES);
        assertEquals(expected, Files.readString(dir.resolve("out/results.txt")));
    }

    @Test
    void classNumbersArePaddedToTwoDigitsAndNoMore() {
        IouAccumulator acc = new IouAccumulator(101);
        acc.add(LabelBuffer.of(IouAccumulatorTest.bytes(100)), LabelBuffer.of(IouAccumulatorTest.bytes(100)));
        List<String> names = java.util.stream.IntStream.range(0, 101).mapToObj(i -> "c" + i).toList();
        String text = ResultsWriter.text(acc.compute(), names);
        assertTrue(text.contains("\nClass_07 result: iou/accuracy 0.0000/0.0000, name: c7.\n"), text);
        assertTrue(text.endsWith("\nClass_100 result: iou/accuracy 1.0000/1.0000, name: c100.\n"), text);
    }

    @Test
    void numbersRoundAsPythonFormatDoes() {
        assertEquals("0.0001", ResultsWriter.format4(0.00015), "0.00015 is stored just below the tie");
        assertEquals("0.0312", ResultsWriter.format4(0.03125), "exact tie rounds to even");
        assertEquals("0.6667", ResultsWriter.format4(2.0 / 3));
        assertEquals("1.0000", ResultsWriter.format4(1 / (1 + 1e-10)));
        assertEquals("0.0000", ResultsWriter.format4(0));
    }

    @Test
    void resultsJsonCarriesEveryClassInOrder(@TempDir Path dir) throws Exception {
        SegmentationMetrics m = example();
        ResultsWriter.write(dir, m, NAMES);
        String json = Files.readString(dir.resolve("results.json"));
        String compact = json.replaceAll("\\s+", "");
        assertTrue(compact.startsWith("{\"mIoU\":" + m.mIoU() + ",\"mAcc\":" + m.mAcc() + ",\"allAcc\":"
                + m.allAcc() + ","), compact);
        assertTrue(compact.contains("\"classes\":[\"road\",\"sky\",\"car\"]"), compact);
        assertTrue(compact.contains("\"iou\":[" + m.iou(0) + "," + m.iou(1) + "," + m.iou(2) + "]"), compact);
        assertTrue(compact.contains("\"acc\":[" + m.accuracy(0) + "," + m.accuracy(1) + "," + m.accuracy(2) + "]"),
                compact);
        assertTrue(compact.contains("\"excluded\":[1]"), compact);
        assertEquals(compact, ResultsWriter.json(m, NAMES, false), "pretty and compact forms hold the same JSON");
        assertEquals(1, ResultsWriter.json(m, NAMES, false).lines().count());
    }

    @Test
    void namesMustMatchTheClassCount() {
        assertThrows(IllegalArgumentException.class, () -> ResultsWriter.text(example(), List.of("a", "b")));
    }
}
