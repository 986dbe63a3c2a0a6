package org.mseg.api.config;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/** The type of a configuration value, as YAML writes it; used to check files and {@code --set} overrides. */
public enum KeyType {
    /** {@code True} / {@code False}. */
    BOOL("a boolean (True or False)"),
    /** A whole number. */
    INT("an integer"),
    /** Any number; integers are accepted ({@code rotate_max: 10}). */
    FLOAT("a number"),
    /** Text. */
    STRING("a string"),
    /** A string, number or boolean ({@code loss_scale}: {@code dynamic} or a number). */
    SCALAR("a string or a number"),
    /** A list of whole numbers ({@code train_gpu: [0, 1]}). */
    INT_LIST("a list of integers"),
    /** A list of numbers ({@code scales: [0.5, 1.0]}). */
    FLOAT_LIST("a list of numbers"),
    /** One dataset name, or a list of dataset names. */
    DATASETS("a dataset name or a list of dataset names"),
    /** Dataset name to a list of GPU ranks ({@code {'bdd': [1]}}). */
    GPU_MAPPING("a mapping from dataset name to a list of GPU ranks"),
    /** Anything YAML can write; used for keys that plugins declare without a type. */
    ANY("any value");

    private final String description;

    KeyType(String description) {
        this.description = description;
    }

    /** What a value of this type looks like, for messages ("an integer"). */
    public String description() {
        return description;
    }

    /** Whether a non-null value has this type. */
    public boolean accepts(Object v) {
        switch (this) {
            case BOOL:
                return v instanceof Boolean;
            case INT:
                return isInteger(v);
            case FLOAT:
                return v instanceof Number;
            case STRING:
                return v instanceof String;
            case SCALAR:
                return v instanceof String || v instanceof Number || v instanceof Boolean;
            case INT_LIST:
                return v instanceof List<?> l && l.stream().allMatch(KeyType::isInteger);
            case FLOAT_LIST:
                return v instanceof List<?> l && l.stream().allMatch(e -> e instanceof Number);
            case DATASETS:
                return v instanceof String s && !s.isBlank()
                        || v instanceof List<?> l && !l.isEmpty() && l.stream().allMatch(e -> e instanceof String);
            case GPU_MAPPING:
                return v instanceof Map<?, ?> m && m.entrySet().stream().allMatch(
                        e -> e.getKey() instanceof String && INT_LIST.accepts(e.getValue()));
            case ANY:
            default:
                return true;
        }
    }

    static boolean isInteger(Object v) {
        return v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
                || v instanceof BigInteger;
    }

    /** Describes a found value for messages: {@code 'abc' (a string)}. */
    static String describeValue(Object v) {
        if (v == null) {
            return "an empty value";
        }
        String kind;
        if (v instanceof Boolean) {
            kind = "a boolean";
        } else if (isInteger(v)) {
            kind = "an integer";
        } else if (v instanceof Number) {
            kind = "a number";
        } else if (v instanceof String) {
            return "'" + v + "' (a string)";
        } else if (v instanceof List) {
            kind = "a list";
        } else if (v instanceof Map) {
            kind = "a mapping";
        } else {
            kind = v.getClass().getSimpleName();
        }
        return v + " (" + kind + ")";
    }
}
