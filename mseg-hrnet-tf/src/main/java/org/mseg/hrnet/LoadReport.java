package org.mseg.hrnet;

import java.util.List;

/**
 * What {@link StateDictLoader#load} did, by PyTorch key (after removing a {@code module.} prefix).
 *
 * @param loaded     keys copied into the model
 * @param missing    model keys the state dict lacks; those variables keep their current values
 * @param unexpected state dict keys the model does not have (e.g. an ImageNet classifier head); not loaded
 * @param ignored    state dict keys that are not model tensors by design ({@code num_batches_tracked})
 */
public record LoadReport(List<String> loaded, List<String> missing, List<String> unexpected, List<String> ignored) {

    /** Copies the lists. */
    public LoadReport {
        loaded = List.copyOf(loaded);
        missing = List.copyOf(missing);
        unexpected = List.copyOf(unexpected);
        ignored = List.copyOf(ignored);
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
