package org.mseg.api.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mseg.api.ConfigException;

/** The iteration budget table of MSEG.md c.4. */
class IterationBudgetTest {
    /** Train lengths of ADE20K, BDD, Cityscapes, COCO, IDD, Mapillary, SUN RGB-D (MSEG.md a.1). */
    static final List<Long> LENGTHS = List.of(20_210L, 7_000L, 2_975L, 118_287L, 6_993L, 18_000L, 5_285L);

    private static List<Long> epochsPerDataset(long numExamples, int batchSize) {
        int b = IterationBudget.perProcessBatch(batchSize, 7);
        long max = IterationBudget.maxIters(numExamples, b, 1);
        return LENGTHS.stream().map(n -> IterationBudget.epochs(max, IterationBudget.itersPerEpoch(n, b, 1))).toList();
    }

    @Test
    void relabeled1mTrains500kStepsWithTwoCropsPerDataset() {
        assertEquals(2, IterationBudget.perProcessBatch(14, 7));
        assertEquals(500_000, IterationBudget.maxIters(1_000_000, 2, 1));
        assertEquals(10_105, IterationBudget.itersPerEpoch(20_210, 2, 1));
        assertEquals(List.of(50L, 143L, 337L, 9L, 144L, 56L, 190L), epochsPerDataset(1_000_000, 14));
    }

    @Test
    void relabeled3mTrains600kStepsAndCyclesCityscapes1009Times() {
        assertEquals(600_000, IterationBudget.maxIters(3_000_000, IterationBudget.perProcessBatch(35, 7), 1));
        assertEquals(4_042, IterationBudget.itersPerEpoch(20_210, 5, 1));
        assertEquals(List.of(149L, 429L, 1009L, 26L, 430L, 167L, 568L), epochsPerDataset(3_000_000, 35));
    }

    @Test
    void unrelabeledAndMgdaTrain200kSteps() {
        assertEquals(200_000, IterationBudget.maxIters(1_000_000, 5, 1));
        assertEquals(List.of(50L, 143L, 337L, 9L, 144L, 56L, 190L), epochsPerDataset(1_000_000, 35));
    }

    @Test
    void naiveBaselineTrains250kSteps() {
        assertEquals(4, IterationBudget.perProcessBatch(28, 7));
        assertEquals(250_000, IterationBudget.maxIters(1_000_000, 4, 1));
        assertEquals(5_052, IterationBudget.itersPerEpoch(20_210, 4, 1));
        assertEquals(List.of(50L, 143L, 337L, 9L, 144L, 56L, 190L), epochsPerDataset(1_000_000, 28));
    }

    @Test
    void release480pTrains250kSteps() {
        assertEquals(12, IterationBudget.perProcessBatch(84, 7));
        assertEquals(250_000, IterationBudget.maxIters(3_000_000, 12, 1));
        assertEquals(1_684, IterationBudget.itersPerEpoch(20_210, 12, 1));
        assertEquals(List.of(149L, 429L, 1013L, 26L, 430L, 167L, 569L), epochsPerDataset(3_000_000, 84));
    }

    @Test
    void release720pTrains428571Steps() {
        assertEquals(7, IterationBudget.perProcessBatch(49, 7));
        assertEquals(428_571, IterationBudget.maxIters(3_000_000, 7, 1));
        assertEquals(2_887, IterationBudget.itersPerEpoch(20_210, 7, 1));
        assertEquals(List.of(149L, 429L, 1009L, 26L, 429L, 167L, 568L), epochsPerDataset(3_000_000, 49));
    }

    @Test
    void singleDatasetDividesTheBatchFirst() {
        assertEquals(31_250, IterationBudget.singleDatasetMaxIters(1_000_000, 32, 8));
        assertEquals(337, IterationBudget.singleDatasetEpochs(1_000_000, 2_975));
    }

    @Test
    void replicasShareADatasetsBudget() {
        assertEquals(300_000, IterationBudget.maxIters(3_000_000, 5, 2));
        assertEquals(2_021, IterationBudget.itersPerEpoch(20_210, 5, 2));
    }

    @Test
    void scheduleOfTheRelabeled3mConfigMatchesTheTable() {
        List<String> names = ConfigSchemaTest.RELABELED;
        MsegConfig c = ConfigSchema.training().validate(BundledConfigs.load("1080_release/mseg-relabeled-3m"));
        IterationBudget.Schedule s = IterationBudget.of(c, d -> LENGTHS.get(names.indexOf(d)));
        assertEquals(5, s.perProcessBatch());
        assertEquals(600_000, s.maxIters());
        assertEquals(4_042L, s.itersPerEpoch().get("ade20k-150-relabeled"));
        assertEquals(List.of(149L, 429L, 1009L, 26L, 430L, 167L, 568L), List.copyOf(s.epochs().values()));
        assertEquals(names, List.copyOf(s.epochs().keySet()));
    }

    @Test
    void scheduleOfASingleDatasetConfigUsesAllGpus() {
        MsegConfig c = ConfigSchema.training().validate(BundledConfigs.load("1080_release/single_universal")
                .withOverrides(List.of("dataset=cityscapes-19")));
        IterationBudget.Schedule s = IterationBudget.of(c, d -> 2_975);
        assertTrue(s.singleDataset());
        assertEquals(31_250, s.maxIters());
        assertEquals(8, s.replicas().get("cityscapes-19"));
        assertEquals(337L, s.epochs().get("cityscapes-19"));
    }

    @Test
    void impossibleBudgetsAreConfigErrors() {
        ConfigException tooSmall = assertThrows(ConfigException.class, () -> IterationBudget.perProcessBatch(6, 7));
        assertTrue(tooSmall.getMessage().contains("batch_size 6"), tooSmall.getMessage());
        assertThrows(ConfigException.class, () -> IterationBudget.itersPerEpoch(4, 5, 1));
        assertThrows(ConfigException.class, () -> IterationBudget.maxIters(0, 5, 1));
    }
}
