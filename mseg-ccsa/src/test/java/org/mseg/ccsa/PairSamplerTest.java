package org.mseg.ccsa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The pair sampler: cross-domain pairs only, exact counts, no ignore pixels, MSeg's domain-first distribution. */
class PairSamplerTest {

    private static final int H = 6;
    private static final int W = 7;
    private static final int PLANE = H * W;
    private static final byte IGNORE = (byte) 255;

    /** Random labels in {@code [0, classes)}, with about {@code ignoreShare} of the locations set to 255. */
    private static byte[] randomLabels(int n, int classes, double ignoreShare, long seed) {
        Random random = new Random(seed);
        byte[] labels = new byte[n * PLANE];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = random.nextDouble() < ignoreShare ? IGNORE : (byte) random.nextInt(classes);
        }
        return labels;
    }

    private static int domainOf(int[] domains, int flatIndex) {
        return domains[flatIndex / PLANE];
    }

    @Test
    void drawsExactlyNPositivesAndThreeNNegatives() {
        int[] domains = {0, 1, 2, 0, 1, 2};
        byte[] labels = randomLabels(6, 4, 0.2, 1);
        SampledPairs pairs = new PairSampler(100, 3).sample(domains, labels, 6, H, W, 42);
        assertEquals(SampledPairs.Outcome.COMPLETE, pairs.outcome());
        assertTrue(pairs.complete());
        assertEquals(100, pairs.numPositive());
        assertEquals(300, pairs.numNegative());
        assertEquals(400, pairs.size());
        assertEquals(400, pairs.sideA().length);
        float[] y = pairs.labels();
        for (int i = 0; i < 400; i++) {
            assertEquals(i < 100 ? 1f : 0f, y[i], "label of pair " + i);
        }
    }

    @Test
    void negativeRatioIsConfigurable() {
        int[] domains = {0, 1, 0, 1};
        SampledPairs pairs = new PairSampler(7, 5).sample(domains, randomLabels(4, 3, 0, 2), 4, H, W, 3);
        assertEquals(7, pairs.numPositive());
        assertEquals(35, pairs.numNegative());
        assertEquals(SampledPairs.Outcome.COMPLETE, pairs.outcome());
    }

    @Test
    void pairsAlwaysJoinDifferentDomainsAndRespectTheirClassRelation() {
        int[] domains = {3, 3, 7, 9, 7, 3};
        byte[] labels = randomLabels(6, 3, 0.3, 4);
        SampledPairs pairs = new PairSampler(200, 3).sample(domains, labels, 6, H, W, 5);
        assertTrue(pairs.complete());
        int[] a = pairs.sideA();
        int[] b = pairs.sideB();
        for (int i = 0; i < pairs.size(); i++) {
            assertTrue(a[i] >= 0 && a[i] < labels.length && b[i] >= 0 && b[i] < labels.length);
            assertNotEquals(domainOf(domains, a[i]), domainOf(domains, b[i]), "pair " + i + " is within a domain");
            if (i < pairs.numPositive()) {
                assertEquals(labels[a[i]], labels[b[i]], "positive pair " + i + " has different classes");
            } else {
                assertNotEquals(labels[a[i]], labels[b[i]], "negative pair " + i + " has equal classes");
            }
        }
    }

    @Test
    void ignoredLocationsNeverFormPairs() {
        int[] domains = {0, 1, 2, 0, 1, 2};
        // 90% ignored: upstream would pair many 255s as "positives"
        byte[] labels = randomLabels(6, 3, 0.9, 6);
        SampledPairs pairs = new PairSampler(50, 3).sample(domains, labels, 6, H, W, 7);
        assertTrue(pairs.complete());
        int[] a = pairs.sideA();
        int[] b = pairs.sideB();
        for (int i = 0; i < pairs.size(); i++) {
            assertNotEquals(IGNORE, labels[a[i]], "side A of pair " + i);
            assertNotEquals(IGNORE, labels[b[i]], "side B of pair " + i);
        }
    }

    /**
     * Domain 0 holds six examples, domains 1 and 2 one each. Drawing the domain first makes each domain a third of the
     * side-A locations (upstream's behaviour); drawing examples uniformly would give domain 0 three quarters.
     */
    @Test
    void domainIsChosenUniformlyBeforeTheExample() {
        int[] domains = {0, 0, 1, 0, 0, 2, 0, 0};
        byte[] plane = randomLabels(1, 3, 0, 8);
        byte[] labels = new byte[domains.length * PLANE];
        for (int e = 0; e < domains.length; e++) {
            // equal label maps: the class relation cannot favour any domain or example
            System.arraycopy(plane, 0, labels, e * PLANE, PLANE);
        }
        SampledPairs pairs = new PairSampler(1500, 3).sample(domains, labels, domains.length, H, W, 9);
        assertTrue(pairs.complete());
        long[] domainCounts = new long[3];
        long[] exampleCounts = new long[domains.length];
        for (int[] side : new int[][] {pairs.sideA(), pairs.sideB()}) {
            for (int index : side) {
                domainCounts[domainOf(domains, index)]++;
                exampleCounts[index / PLANE]++;
            }
        }
        long total = 2L * pairs.size();
        double third = total / 3.0;
        // chi-square, 2 degrees of freedom: 13.8 is the 0.1% critical value
        assertTrue(chiSquare(domainCounts, new double[] {third, third, third}) < 13.8,
                "domain counts " + Arrays.toString(domainCounts));
        // and far from the example-proportional split 6:1:1
        assertTrue(chiSquare(domainCounts, new double[] {total * 6 / 8.0, total / 8.0, total / 8.0}) > 1000);

        // within domain 0 each of its six examples gets a sixth (5 degrees of freedom: 20.5 at 0.1%)
        int[] domainZero = {0, 1, 3, 4, 6, 7};
        long[] withinZero = new long[domainZero.length];
        for (int i = 0; i < domainZero.length; i++) {
            withinZero[i] = exampleCounts[domainZero[i]];
        }
        double sixth = domainCounts[0] / 6.0;
        double[] expected = new double[6];
        Arrays.fill(expected, sixth);
        assertTrue(chiSquare(withinZero, expected) < 20.5, "domain-0 example counts " + Arrays.toString(withinZero));
    }

    @Test
    void rowsAndColumnsAreUniform() {
        int[] domains = {0, 1};
        byte[] labels = new byte[2 * PLANE];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (byte) (i % 2);
        }
        SampledPairs pairs = new PairSampler(2000, 3).sample(domains, labels, 2, H, W, 10);
        long[] rows = new long[H];
        long[] cols = new long[W];
        for (int index : pairs.sideA()) {
            rows[(index % PLANE) / W]++;
            cols[index % W]++;
        }
        double[] expectedRows = new double[H];
        Arrays.fill(expectedRows, pairs.size() / (double) H);
        double[] expectedCols = new double[W];
        Arrays.fill(expectedCols, pairs.size() / (double) W);
        // 0.1% critical values for 5 and 6 degrees of freedom
        assertTrue(chiSquare(rows, expectedRows) < 20.5, Arrays.toString(rows));
        assertTrue(chiSquare(cols, expectedCols) < 22.5, Arrays.toString(cols));
    }

    private static double chiSquare(long[] observed, double[] expected) {
        double sum = 0;
        for (int i = 0; i < observed.length; i++) {
            double d = observed[i] - expected[i];
            sum += d * d / expected[i];
        }
        return sum;
    }

    @Test
    void sameSeedGivesTheSamePairs() {
        int[] domains = {0, 1, 2, 1};
        byte[] labels = randomLabels(4, 5, 0.25, 11);
        PairSampler sampler = new PairSampler(100, 3);
        SampledPairs first = sampler.sample(domains, labels, 4, H, W, 1234);
        SampledPairs second = new PairSampler(100, 3).sample(domains, labels, 4, H, W, 1234);
        assertArrayEquals(first.sideA(), second.sideA());
        assertArrayEquals(first.sideB(), second.sideB());
        assertArrayEquals(first.labels(), second.labels());
        assertEquals(first.draws(), second.draws());
        assertEquals(first, second);
        SampledPairs other = sampler.sample(domains, labels, 4, H, W, 1235);
        assertFalse(Arrays.equals(first.sideA(), other.sideA()), "a different seed gives different pairs");
        assertNotEquals(first, other);
    }

    @Test
    void singleDomainBatchGivesNoPairsAtOnce() {
        SampledPairs pairs = new PairSampler(100, 3).sample(new int[] {4, 4, 4}, randomLabels(3, 3, 0, 12), 3, H,
                W, 1);
        assertEquals(SampledPairs.Outcome.TOO_FEW_DOMAINS, pairs.outcome());
        assertEquals(0, pairs.size());
        assertEquals(0, pairs.draws());
        assertFalse(pairs.complete());
    }

    @Test
    void allIgnoredBatchGivesNoPairsAtOnce() {
        byte[] labels = new byte[3 * PLANE];
        Arrays.fill(labels, IGNORE);
        SampledPairs pairs = new PairSampler(100, 3).sample(new int[] {0, 1, 2}, labels, 3, H, W, 1);
        assertEquals(SampledPairs.Outcome.TOO_FEW_DOMAINS, pairs.outcome());
        assertEquals(0, pairs.size());
    }

    @Test
    void batchWhoseOtherDomainsAreAllIgnoredGivesNoPairs() {
        byte[] labels = randomLabels(3, 3, 0, 13);
        Arrays.fill(labels, PLANE, 3 * PLANE, IGNORE);
        SampledPairs pairs = new PairSampler(10, 3).sample(new int[] {0, 1, 2}, labels, 3, H, W, 1);
        assertEquals(SampledPairs.Outcome.TOO_FEW_DOMAINS, pairs.outcome());
    }

    @Test
    void emptyBatchGivesNoPairs() {
        SampledPairs pairs = new PairSampler(10, 3).sample(new int[0], new byte[0], 0, H, W, 1);
        assertEquals(SampledPairs.Outcome.TOO_FEW_DOMAINS, pairs.outcome());
    }

    @Test
    void singleClassBatchStopsAtTheDrawLimitWithItsPositives() {
        byte[] labels = new byte[4 * PLANE]; // every location is class 0: no negative pair exists
        PairSampler sampler = new PairSampler(20, 3, 50_000);
        SampledPairs pairs = sampler.sample(new int[] {0, 1, 0, 1}, labels, 4, H, W, 1);
        assertEquals(SampledPairs.Outcome.DRAW_LIMIT, pairs.outcome());
        assertEquals(20, pairs.numPositive());
        assertEquals(0, pairs.numNegative());
        assertEquals(50_000, pairs.draws());
    }

    @Test
    void sparselyLabelledBatchReturnsWhatTheBudgetFound() {
        // one labelled location per domain, same class: positives are possible but rare, negatives impossible
        byte[] labels = new byte[2 * PLANE];
        Arrays.fill(labels, IGNORE);
        labels[5] = 1;
        labels[PLANE + 9] = 1;
        SampledPairs pairs = new PairSampler(100, 3, 100_000).sample(new int[] {0, 1}, labels, 2, H, W, 2);
        assertEquals(SampledPairs.Outcome.DRAW_LIMIT, pairs.outcome());
        assertTrue(pairs.numPositive() > 0 && pairs.numPositive() < 100, "positives " + pairs.numPositive());
        assertEquals(0, pairs.numNegative());
        int[] a = pairs.sideA();
        int[] b = pairs.sideB();
        for (int i = 0; i < pairs.size(); i++) {
            assertEquals(5 + PLANE + 9, a[i] + b[i], "pair " + i + " joins the two labelled locations");
            assertTrue(a[i] == 5 || b[i] == 5);
        }
    }

    @Test
    void defaultBudgetIsBounded() {
        assertEquals(1_000_000L + 1_000L * 100 * 4, new PairSampler(100, 3).maxDraws());
        PairSampler fromOptions = PairSampler.of(CcsaOptions.defaults());
        assertEquals(100, fromOptions.numPositive());
        assertEquals(300, fromOptions.numNegative());
    }

    @Test
    void rejectsInconsistentInputs() {
        PairSampler sampler = new PairSampler(1, 3);
        assertThrows(IllegalArgumentException.class,
                () -> sampler.sample(new int[] {0, 1}, new byte[PLANE], 2, H, W, 1));
        assertThrows(IllegalArgumentException.class,
                () -> sampler.sample(new int[] {0, -1}, new byte[2 * PLANE], 2, H, W, 1));
        assertThrows(IllegalArgumentException.class, () -> new PairSampler(0, 3));
        assertThrows(IllegalArgumentException.class, () -> new PairSampler(1, 0));
    }

    @Test
    void resultArraysCannotBeChangedFromOutside() {
        SampledPairs pairs = new PairSampler(5, 3).sample(new int[] {0, 1}, randomLabels(2, 2, 0, 14), 2, H, W, 1);
        int before = pairs.sideA()[0];
        pairs.sideA()[0] = before + 1;
        assertEquals(before, pairs.sideA()[0]);
    }
}
