package org.mseg.api.taxonomy;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A named label space: class names in id order (class id = list index) plus how it relates to the universal taxonomy.
 *
 * <p>Label value {@value #IGNORE_ID} is never a class: it means "unlabeled / ignore" in every taxonomy.
 *
 * @param name          unique name, e.g. {@code cityscapes-19}
 * @param kind          the role of the taxonomy
 * @param classNames    class names in id order; non-blank and unique, except that {@value #UNLABELED} may fill several
 *                      unused id slots (as in raw {@code coco-panoptic-201})
 * @param toUniversal   dataset class name → universal class name, or {@value #UNLABELED} for classes deliberately
 *                      ignored in universal training; empty when the taxonomy has no defined mapping. A class of a
 *                      non-empty mapping that is missing from it maps to ignore.
 * @param fromUniversal universal class name → the class of this taxonomy whose probability it adds to (test datasets);
 *                      empty when not defined
 * @param description   one line for listings
 */
public record TaxonomyDefinition(String name, TaxonomyKind kind, List<String> classNames,
        Map<String, String> toUniversal, Map<String, String> fromUniversal, String description) {

    /** The label value meaning "unlabeled / ignore" in every taxonomy. */
    public static final int IGNORE_ID = 255;

    /** The class name of the ignore row in MSeg's TSV files. */
    public static final String UNLABELED = "unlabeled";

    public TaxonomyDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(description, "description");
        classNames = List.copyOf(classNames);
        toUniversal = Map.copyOf(new LinkedHashMap<>(toUniversal));
        fromUniversal = Map.copyOf(new LinkedHashMap<>(fromUniversal));
        if (name.isBlank()) {
            throw new IllegalArgumentException("taxonomy name must not be blank");
        }
        if (classNames.isEmpty()) {
            throw new IllegalArgumentException("taxonomy '" + name + "' has no classes");
        }
        Set<String> seen = new HashSet<>();
        for (String c : classNames) {
            if (c.isBlank()) {
                throw new IllegalArgumentException("taxonomy '" + name + "' has a blank class name");
            }
            if (!seen.add(c) && !c.equals(UNLABELED)) {
                throw new IllegalArgumentException("taxonomy '" + name + "' lists class '" + c + "' twice");
            }
        }
        for (String c : toUniversal.keySet()) {
            if (!seen.contains(c)) {
                throw new IllegalArgumentException("taxonomy '" + name + "': toUniversal maps '" + c
                        + "', which is not one of its classes");
            }
        }
        for (String c : fromUniversal.values()) {
            if (!seen.contains(c)) {
                throw new IllegalArgumentException("taxonomy '" + name + "': fromUniversal targets '" + c
                        + "', which is not one of its classes");
            }
        }
    }

    /** A taxonomy with class names only (no relation to the universal taxonomy). */
    public static TaxonomyDefinition of(String name, TaxonomyKind kind, List<String> classNames) {
        return new TaxonomyDefinition(name, kind, classNames, Map.of(), Map.of(), kind.label() + " taxonomy");
    }

    /** Number of classes (ids 0..n-1). */
    public int numClasses() {
        return classNames.size();
    }

    /** The id of a class name, or -1. */
    public int idOf(String className) {
        return classNames.indexOf(className);
    }

    /** True if this taxonomy defines how its classes land in the universal taxonomy. */
    public boolean mapsToUniversal() {
        return !toUniversal.isEmpty();
    }
}
