package org.mseg.engine.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a model's {@link GraphModel#importStateDict} did, by PyTorch key (after removing a {@code module.} prefix).
 *
 * @param loaded     keys copied into the model
 * @param missing    model keys the state dict lacks; those variables keep their current values
 * @param unexpected state dict keys the model does not have; not loaded
 * @param ignored    state dict keys that are not model tensors by design ({@code num_batches_tracked})
 * @param skipped    state dict keys the model's import rules leave out on purpose (HRNet: the ImageNet
 *                   classification head of the backbone checkpoint); not loaded, not counted as unexpected
 * @param nonFinite  loaded keys holding NaN or infinite values, with how many, in load order
 */
public record LoadReport(List<String> loaded, List<String> missing, List<String> unexpected, List<String> ignored,
        List<String> skipped, Map<String, Integer> nonFinite) {

    /** Copies the lists. */
    public LoadReport {
        loaded = List.copyOf(loaded);
        missing = List.copyOf(missing);
        unexpected = List.copyOf(unexpected);
        ignored = List.copyOf(ignored);
        skipped = List.copyOf(skipped);
        nonFinite = Collections.unmodifiableMap(new LinkedHashMap<>(nonFinite));
    }

    /** A report without skipped keys. */
    public LoadReport(List<String> loaded, List<String> missing, List<String> unexpected, List<String> ignored,
            Map<String, Integer> nonFinite) {
        this(loaded, missing, unexpected, ignored, List.of(), nonFinite);
    }

    /** This report with the keys the import rules left out on purpose. */
    public LoadReport withSkipped(List<String> keys) {
        return new LoadReport(loaded, missing, unexpected, ignored, keys, nonFinite);
    }

    /** A report without non-finite values. */
    public LoadReport(List<String> loaded, List<String> missing, List<String> unexpected, List<String> ignored) {
        this(loaded, missing, unexpected, ignored, Map.of());
    }

    /**
     * A warning naming the loaded tensors that hold NaN or infinite values, with their counts; empty when there are
     * none. Such weights make every prediction NaN, so the file is broken (a diverged run, a bad conversion).
     *
     * @param source the file the weights came from
     */
    public Optional<String> nonFiniteWarning(String source) {
        if (nonFinite.isEmpty()) {
            return Optional.empty();
        }
        long total = nonFinite.values().stream().mapToLong(Integer::longValue).sum();
        String keys = nonFinite.entrySet().stream().limit(10).map(e -> e.getKey() + " (" + e.getValue() + ")")
                .collect(Collectors.joining(", "));
        return Optional.of(source + ": " + nonFinite.size() + " of the " + loaded.size() + " loaded tensors hold"
                + " non-finite values (NaN or infinity; " + total + " values): " + keys
                + (nonFinite.size() > 10 ? ", ..." : "") + ". The model will predict NaN; use weights from"
                + " before the training diverged, or check the conversion that wrote the file.");
    }

    /** Whether every model key was loaded and no key was left over. */
    public boolean complete() {
        return missing.isEmpty() && unexpected.isEmpty();
    }

    /**
     * Returns this report if {@link #complete()}.
     *
     * @throws StateDictException listing (the first few) missing and unexpected keys
     */
    public LoadReport requireComplete() {
        if (!complete()) {
            throw new StateDictException("state dict does not match the model: " + missing.size() + " missing keys "
                    + sample(missing) + ", " + unexpected.size() + " unexpected keys " + sample(unexpected)
                    + "; check the variant (width, blocks, modules) and the number of classes");
        }
        return this;
    }

    private static String sample(List<String> keys) {
        return keys.size() <= 5 ? keys.toString() : keys.subList(0, 5) + "...";
    }

    @Override
    public String toString() {
        return "LoadReport[loaded=" + loaded.size() + ", missing=" + missing.size() + " " + sample(missing)
                + ", unexpected=" + unexpected.size() + " " + sample(unexpected) + ", ignored=" + ignored.size() + "]";
    }
}
