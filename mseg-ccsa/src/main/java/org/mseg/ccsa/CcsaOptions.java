package org.mseg.ccsa;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.mseg.api.ConfigException;
import org.mseg.api.plugin.Names;

/**
 * The CCSA settings of one run, as MSeg's {@code ccsa_train.py} uses them.
 *
 * @param alpha weight of the contrastive loss; the cross-entropy terms get {@code 1 − alpha}
 *     ({@value #ALPHA_KEY}, default {@value #DEFAULT_ALPHA})
 * @param numPositivePairs positive pairs sampled per step ({@value #NUM_POS_PAIRS_KEY}, default
 *     {@value #DEFAULT_NUM_POS_PAIRS})
 * @param margin margin {@code m} of the separation term ({@value #MARGIN_KEY}, default {@value #DEFAULT_MARGIN})
 * @param negativesPerPositive negative pairs per positive pair ({@value #NEG_TO_POS_RATIO_KEY}, default
 *     {@value #DEFAULT_NEG_TO_POS_RATIO})
 */
public record CcsaOptions(double alpha, int numPositivePairs, double margin, int negativesPerPositive) {

    /** Configuration key of {@link #alpha()}. */
    public static final String ALPHA_KEY = "TRAIN.ccsa_alpha";
    /** Configuration key of {@link #numPositivePairs()}. */
    public static final String NUM_POS_PAIRS_KEY = "TRAIN.ccsa_num_pos_pairs";
    /** Configuration key of {@link #margin()}. */
    public static final String MARGIN_KEY = "TRAIN.ccsa_margin";
    /** Configuration key of {@link #negativesPerPositive()}. */
    public static final String NEG_TO_POS_RATIO_KEY = "TRAIN.ccsa_neg_to_pos_ratio";

    /** MSeg's forward default {@code alpha = 0.25}. */
    public static final double DEFAULT_ALPHA = 0.25;
    /** MSeg's default {@code num_pos_pairs = 100}. */
    public static final int DEFAULT_NUM_POS_PAIRS = 100;
    /** MSeg's margin {@code m = 1}. */
    public static final double DEFAULT_MARGIN = 1.0;
    /** MSeg's {@code neg_to_pos_ratio = 3}. */
    public static final int DEFAULT_NEG_TO_POS_RATIO = 3;

    /** Every key {@link #fromMap} reads. */
    public static final Set<String> KEYS = Set.copyOf(orderedKeys());

    /**
     * Validates the values.
     *
     * @throws ConfigException if a value is out of range; the message names the key
     */
    public CcsaOptions {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new ConfigException(ALPHA_KEY + " must be in [0, 1], got " + alpha);
        }
        if (numPositivePairs < 1) {
            throw new ConfigException(NUM_POS_PAIRS_KEY + " must be a positive integer, got " + numPositivePairs);
        }
        if (!(margin > 0) || Double.isInfinite(margin)) {
            throw new ConfigException(MARGIN_KEY + " must be a finite number > 0, got " + margin);
        }
        if (negativesPerPositive < 1) {
            throw new ConfigException(
                    NEG_TO_POS_RATIO_KEY + " must be a positive integer, got " + negativesPerPositive);
        }
    }

    /** MSeg's defaults: {@code alpha = 0.25}, 100 positive pairs, margin 1, three negatives per positive. */
    public static CcsaOptions defaults() {
        return new CcsaOptions(DEFAULT_ALPHA, DEFAULT_NUM_POS_PAIRS, DEFAULT_MARGIN, DEFAULT_NEG_TO_POS_RATIO);
    }

    /** Negative pairs sampled per step: {@code numPositivePairs · negativesPerPositive}. */
    public int numNegativePairs() {
        return Math.multiplyExact(numPositivePairs, negativesPerPositive);
    }

    /**
     * Reads the options from resolved configuration values keyed {@code SECTION.key} ({@code TRAIN.ccsa_alpha}) or by
     * the bare key ({@code ccsa_alpha}). Absent keys, {@code null} and blank values take the defaults. Values may be
     * numbers or numeric strings; counts must be whole numbers. Keys outside the {@code ccsa_} namespace belong to
     * other components and are left to the configuration schema.
     *
     * @throws ConfigException if a {@code ccsa_} key is unknown (with a "did you mean" hint), a value is not a number
     *     of the right kind, or out of range; the message names the key
     */
    public static CcsaOptions fromMap(Map<String, ?> options) {
        Map<String, Object> values = new HashMap<>();
        for (Map.Entry<String, ?> e : options.entrySet()) {
            String key = e.getKey();
            String qualified = key.startsWith("TRAIN.") ? key : "TRAIN." + key;
            if (KEYS.contains(qualified)) {
                Object value = e.getValue();
                boolean empty = value == null || value instanceof String text && text.isBlank();
                if (!empty && values.put(qualified, value) != null) {
                    throw new ConfigException(qualified + " is given twice (as " + qualified + " and as "
                            + qualified.substring("TRAIN.".length()) + ")");
                }
            } else if (qualified.substring(qualified.indexOf('.') + 1).startsWith("ccsa_")) {
                String hint = Names.closest(qualified, KEYS).map(k -> " — did you mean " + k + "?").orElse("");
                throw new ConfigException("unknown CCSA option " + key + hint + " (known: " + orderedKeys() + ")");
            }
        }
        double alpha = values.containsKey(ALPHA_KEY) ? real(ALPHA_KEY, values.get(ALPHA_KEY)) : DEFAULT_ALPHA;
        int pairs = values.containsKey(NUM_POS_PAIRS_KEY)
                ? whole(NUM_POS_PAIRS_KEY, values.get(NUM_POS_PAIRS_KEY)) : DEFAULT_NUM_POS_PAIRS;
        double margin = values.containsKey(MARGIN_KEY) ? real(MARGIN_KEY, values.get(MARGIN_KEY)) : DEFAULT_MARGIN;
        int ratio = values.containsKey(NEG_TO_POS_RATIO_KEY)
                ? whole(NEG_TO_POS_RATIO_KEY, values.get(NEG_TO_POS_RATIO_KEY)) : DEFAULT_NEG_TO_POS_RATIO;
        return new CcsaOptions(alpha, pairs, margin, ratio);
    }

    private static Set<String> orderedKeys() {
        Set<String> keys = new LinkedHashSet<>();
        keys.add(ALPHA_KEY);
        keys.add(NUM_POS_PAIRS_KEY);
        keys.add(MARGIN_KEY);
        keys.add(NEG_TO_POS_RATIO_KEY);
        return keys;
    }

    private static double real(String key, Object value) {
        if (value instanceof Number number) {
            return number.doubleValue();
        }
        if (value instanceof String text) {
            try {
                return Double.parseDouble(text.trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(key + " must be a number, got '" + text + "'", e);
            }
        }
        throw new ConfigException(key + " must be a number, got " + describe(value));
    }

    private static int whole(String key, Object value) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            long v = ((Number) value).longValue();
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new ConfigException(key + " is out of range: " + v);
            }
            return (int) v;
        }
        double v;
        if (value instanceof Number number) {
            v = number.doubleValue();
        } else if (value instanceof String text) {
            try {
                v = Double.parseDouble(text.trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(key + " must be a whole number, got '" + text + "'", e);
            }
        } else {
            throw new ConfigException(key + " must be a whole number, got " + describe(value));
        }
        if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
            throw new ConfigException(key + " must be a whole number, got " + value);
        }
        return (int) v;
    }

    private static String describe(Object value) {
        return value == null ? "nothing (null)" : value.getClass().getSimpleName() + " '" + value + "'";
    }
}
