package org.mseg.datasets.loader;

/**
 * Derives independent 64-bit seeds from tuples of numbers (SplitMix64 finaliser chained over the parts), so every
 * permutation and every sample's random transform has its own generator, whatever thread runs it.
 */
final class Seeds {
    /** Domain tag of epoch permutations. */
    static final long PERMUTATION = 0x5045524DL;
    /** Domain tag of per-sample transform generators. */
    static final long SAMPLE = 0x53414D50L;

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private Seeds() {
    }

    static long of(long... parts) {
        long h = GOLDEN;
        for (long p : parts) {
            h = mix(h ^ mix(p + GOLDEN));
            h += GOLDEN;
        }
        return mix(h);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
