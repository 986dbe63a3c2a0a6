package org.mseg.ccsa;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Draws CCSA pairs for one batch as MSeg's {@code sample_pair_indices} does, on the label map downsampled to the
 * embedding grid.
 *
 * <p>Each candidate pair is drawn side by side: a domain uniformly among the domains present in the batch, then an
 * example uniformly among that domain's examples, then a row and a column uniformly (all with replacement). Only
 * pairs whose two examples come from different domains are kept; a pair is positive when both locations carry the
 * same class and negative otherwise. Candidates are drawn until exactly {@code N} positives and {@code ratio·N}
 * negatives are collected, which gives the same distribution as upstream's "draw a million, filter, shuffle, keep
 * N" rounds because candidates are independent.
 *
 * <p>Two deliberate differences from upstream:
 * <ul>
 *   <li>A location labelled {@value #IGNORE_LABEL} never forms a pair (upstream pairs two ignore pixels as a
 *       "positive"). Such candidates are rejected, which conditions the upstream distribution on both locations
 *       being labelled.</li>
 *   <li>Side B's domain is drawn uniformly among the domains other than side A's instead of drawing it freely and
 *       discarding same-domain pairs. Because the domain is chosen uniformly, the two are the same distribution;
 *       this one wastes no draws.</li>
 * </ul>
 *
 * <p>Sampling never loops forever: it stops after {@link #maxDraws()} candidates and reports
 * {@link SampledPairs.Outcome#DRAW_LIMIT} with the pairs found so far; a batch in which fewer than two domains have
 * a labelled location returns no pairs at once ({@link SampledPairs.Outcome#TOO_FEW_DOMAINS}). The result depends
 * only on the inputs and the seed.
 */
public final class PairSampler {

    /** The label value that marks a location to ignore. */
    public static final int IGNORE_LABEL = 255;

    private static final byte IGNORE = (byte) IGNORE_LABEL;

    private final int numPositive;
    private final int numNegative;
    private final long maxDraws;

    /**
     * A sampler with the default draw budget: one million candidates plus a thousand per requested pair.
     *
     * @param numPositive positive pairs per batch ({@code N})
     * @param negativesPerPositive negative pairs per positive pair (MSeg: 3)
     * @throws IllegalArgumentException if a count is not positive
     */
    public PairSampler(int numPositive, int negativesPerPositive) {
        this(numPositive, negativesPerPositive,
                1_000_000L + 1_000L * (long) numPositive * (1L + Math.max(0, negativesPerPositive)));
    }

    /**
     * A sampler with an explicit draw budget.
     *
     * @param numPositive positive pairs per batch ({@code N})
     * @param negativesPerPositive negative pairs per positive pair (MSeg: 3)
     * @param maxDraws the most candidate pairs drawn for one batch before giving up
     * @throws IllegalArgumentException if a count is not positive
     */
    public PairSampler(int numPositive, int negativesPerPositive, long maxDraws) {
        if (numPositive < 1 || negativesPerPositive < 1 || maxDraws < 1) {
            throw new IllegalArgumentException("numPositive (" + numPositive + "), negativesPerPositive ("
                    + negativesPerPositive + ") and maxDraws (" + maxDraws + ") must be positive");
        }
        this.numPositive = numPositive;
        this.numNegative = Math.multiplyExact(numPositive, negativesPerPositive);
        this.maxDraws = maxDraws;
    }

    /** A sampler for the given options ({@code N} and the negative-to-positive ratio). */
    public static PairSampler of(CcsaOptions options) {
        return new PairSampler(options.numPositivePairs(), options.negativesPerPositive());
    }

    /** Positive pairs requested per batch. */
    public int numPositive() {
        return numPositive;
    }

    /** Negative pairs requested per batch. */
    public int numNegative() {
        return numNegative;
    }

    /** The most candidate pairs drawn for one batch. */
    public long maxDraws() {
        return maxDraws;
    }

    /**
     * Samples the pairs of one batch.
     *
     * @param domains the domain (dataset index, ≥ 0) of each batch example; length {@code n}
     * @param gridLabels class labels on the embedding grid, {@code [n, h, w]} row-major, unsigned bytes, with
     *     {@value #IGNORE_LABEL} = ignore (see {@link #downsampleNearest})
     * @param n batch size
     * @param h grid height
     * @param w grid width
     * @param seed the random seed; equal inputs and seeds give equal pairs
     * @throws IllegalArgumentException if the sizes disagree or a domain id is negative
     */
    public SampledPairs sample(int[] domains, byte[] gridLabels, int n, int h, int w, long seed) {
        if (n < 0 || h < 1 || w < 1 || domains.length != n || gridLabels.length != (long) n * h * w) {
            throw new IllegalArgumentException("expected " + n + " domain ids and " + n + "×" + h + "×" + w
                    + " labels, got " + domains.length + " and " + gridLabels.length);
        }
        int[][] members = membersByDomain(domains);
        int labelledDomains = 0;
        for (int[] examples : members) {
            if (anyLabelled(examples, gridLabels, h * w)) {
                labelledDomains++;
            }
        }
        if (labelledDomains < 2) {
            return SampledPairs.none(SampledPairs.Outcome.TOO_FEW_DOMAINS, 0);
        }

        int k = members.length;
        int plane = h * w;
        int[] sideA = new int[numPositive + numNegative];
        int[] sideB = new int[numPositive + numNegative];
        int positives = 0;
        int negatives = 0;
        long draws = 0;
        SplittableRandom random = new SplittableRandom(seed);
        while ((positives < numPositive || negatives < numNegative) && draws < maxDraws) {
            draws++;
            int domainA = random.nextInt(k);
            int domainB = random.nextInt(k - 1);
            if (domainB >= domainA) {
                domainB++;
            }
            int a = location(members[domainA], plane, random);
            int b = location(members[domainB], plane, random);
            byte labelA = gridLabels[a];
            byte labelB = gridLabels[b];
            if (labelA == IGNORE || labelB == IGNORE) {
                continue;
            }
            if (labelA == labelB) {
                if (positives < numPositive) {
                    sideA[positives] = a;
                    sideB[positives] = b;
                    positives++;
                }
            } else if (negatives < numNegative) {
                sideA[numPositive + negatives] = a;
                sideB[numPositive + negatives] = b;
                negatives++;
            }
        }
        int total = positives + negatives;
        int[] outA = new int[total];
        int[] outB = new int[total];
        float[] y = new float[total];
        System.arraycopy(sideA, 0, outA, 0, positives);
        System.arraycopy(sideB, 0, outB, 0, positives);
        System.arraycopy(sideA, numPositive, outA, positives, negatives);
        System.arraycopy(sideB, numPositive, outB, positives, negatives);
        Arrays.fill(y, 0, positives, 1f);
        SampledPairs.Outcome outcome = positives == numPositive && negatives == numNegative
                ? SampledPairs.Outcome.COMPLETE : SampledPairs.Outcome.DRAW_LIMIT;
        return new SampledPairs(outA, outB, y, positives, negatives, outcome, draws);
    }

    /** Uniform example of the domain, then uniform row and column: a flat grid index. */
    private static int location(int[] examples, int plane, SplittableRandom random) {
        int example = examples[random.nextInt(examples.length)];
        return example * plane + random.nextInt(plane);
    }

    /** Example indices grouped by domain, domains in ascending id order, examples in batch order. */
    private static int[][] membersByDomain(int[] domains) {
        int[] ids = Arrays.stream(domains).distinct().sorted().toArray();
        if (ids.length > 0 && ids[0] < 0) {
            throw new IllegalArgumentException("domain ids must be >= 0, got " + ids[0]);
        }
        int[][] members = new int[ids.length][];
        for (int d = 0; d < ids.length; d++) {
            int id = ids[d];
            members[d] = IntStream.range(0, domains.length).filter(i -> domains[i] == id).toArray();
        }
        return members;
    }

    /** Whether any example has a labelled location; stops at the first one found. */
    private static boolean anyLabelled(int[] examples, byte[] gridLabels, int plane) {
        for (int example : examples) {
            int start = example * plane;
            for (int i = start; i < start + plane; i++) {
                if (gridLabels[i] != IGNORE) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The embedding-grid size of a strided representation: {@code (size − 1) / stride + 1}, e.g. HRNet's 1/4
     * representation of a 713-pixel crop has 179 rows.
     */
    public static int gridSize(int size, int stride) {
        if (size < 1 || stride < 1) {
            throw new IllegalArgumentException("size (" + size + ") and stride (" + stride + ") must be positive");
        }
        return (size - 1) / stride + 1;
    }

    /**
     * Nearest-neighbour downsampling of a label batch to a target size, exactly as PyTorch's
     * {@code F.interpolate(labels, size=(outH, outW), mode='nearest')} (the legacy {@code 'nearest'}, not
     * {@code 'nearest-exact'}): output row {@code r} reads input row {@code min(floor(r · (h / outH)), h − 1)} with the
     * scale {@code h / outH} in float32 arithmetic, and likewise for columns; an output as large as the input copies
     * it. OpenCV's {@code INTER_NEAREST} uses the same rule in float64, so the two agree except where rounding puts
     * {@code r · h / outH} on different sides of an integer.
     *
     * @param labels {@code [n, h, w]} row-major labels
     * @param n batch size
     * @param h input height
     * @param w input width
     * @param outH output height
     * @param outW output width
     * @return {@code [n, outH, outW]} row-major labels
     * @throws IllegalArgumentException if the sizes disagree or are not positive
     */
    public static byte[] downsampleNearest(byte[] labels, int n, int h, int w, int outH, int outW) {
        if (n < 0 || h < 1 || w < 1 || outH < 1 || outW < 1 || labels.length != (long) n * h * w) {
            throw new IllegalArgumentException("cannot resize " + labels.length + " labels as " + n + "×" + h + "×"
                    + w + " to " + outH + "×" + outW);
        }
        int[] rows = sourceIndices(h, outH);
        int[] cols = sourceIndices(w, outW);
        byte[] out = new byte[n * outH * outW];
        int o = 0;
        for (int e = 0; e < n; e++) {
            for (int r = 0; r < outH; r++) {
                int rowStart = (e * h + rows[r]) * w;
                for (int c = 0; c < outW; c++) {
                    out[o++] = labels[rowStart + cols[c]];
                }
            }
        }
        return out;
    }

    /** PyTorch's {@code nearest_idx} for every output index. */
    static int[] sourceIndices(int in, int out) {
        int[] src = new int[out];
        float scale = (float) in / out;
        for (int i = 0; i < out; i++) {
            if (out == in) {
                src[i] = i;
            } else if (out == 2 * in) {
                src[i] = i >> 1;
            } else {
                src[i] = Math.min((int) Math.floor(i * scale), in - 1);
            }
        }
        return src;
    }
}
