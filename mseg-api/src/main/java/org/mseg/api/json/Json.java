package org.mseg.api.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal, strict JSON (RFC 8259) reader and writer, shared by checkpoint metadata, CLI outputs and metric reports.
 *
 * <p>Parsed values map onto Java as follows: object → unmodifiable {@code Map<String, Object>} keeping the document's
 * key order; array → unmodifiable {@code List<Object>}; string → {@link String}; a number without fraction or
 * exponent that fits in a {@code long} → {@link Long}, any other number → {@link Double};
 * {@code true}/{@code false} → {@link Boolean}; {@code null} → {@code null}. Duplicate keys are rejected, as is
 * anything after the top-level value.
 *
 * <p>{@link #write(Object, boolean)} accepts those types plus {@link Integer}, {@link Short}, {@link Byte},
 * {@link Float}, {@link BigInteger}, {@link BigDecimal}, any {@link Map} with string keys, any {@link Collection}, and
 * arrays of objects, {@code int}, {@code long}, {@code float} and {@code double}. Longs are written exactly, so a
 * value such as an RNG seed survives a round trip bit for bit.
 */
public final class Json {

    /** Deepest nesting {@link #parse} accepts, so a hostile file cannot overflow the stack. */
    public static final int MAX_DEPTH = 512;

    private Json() {
    }

    /**
     * Parses a JSON document.
     *
     * @param text   the document
     * @param source where it came from (a file name), for error messages
     * @return the value, typed as described in the class comment
     * @throws JsonException naming {@code source}, the line and the column of the first error
     */
    public static Object parse(String text, String source) {
        Parser p = new Parser(text, source);
        p.skipWhitespace();
        Object value = p.value(0);
        p.skipWhitespace();
        if (p.pos < text.length()) {
            throw p.error("unexpected text after the JSON value");
        }
        return value;
    }

    /**
     * Serialises a value; maps keep their iteration order.
     *
     * @param value  the value, typed as described in the class comment
     * @param pretty indent with two spaces and one entry per line
     * @return the JSON text (no trailing newline)
     * @throws IllegalArgumentException for a non-finite number, a non-string map key or an unsupported type, naming
     *                                  the path to the value (e.g. {@code $.training.loss})
     */
    public static String write(Object value, boolean pretty) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, pretty, 0, "$");
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, boolean pretty, int depth, String path) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            string(sb, s);
        } else if (v instanceof Boolean || v instanceof Long || v instanceof Integer || v instanceof Short
                || v instanceof Byte || v instanceof BigInteger) {
            sb.append(v);
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException("JSON cannot represent " + d + " at " + path);
            }
            sb.append(v instanceof Float f ? Float.toString(f) : Double.toString(d));
        } else if (v instanceof BigDecimal b) {
            sb.append(b.toString());
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IllegalArgumentException("JSON object keys must be strings, found " + e.getKey()
                            + " at " + path);
                }
                sb.append(first ? "" : ",");
                first = false;
                newline(sb, pretty, depth + 1);
                string(sb, key);
                sb.append(pretty ? ": " : ":");
                write(sb, e.getValue(), pretty, depth + 1, path + "." + key);
            }
            if (!m.isEmpty()) {
                newline(sb, pretty, depth);
            }
            sb.append('}');
        } else if (v instanceof Collection<?> c) {
            array(sb, new ArrayList<>(c), pretty, depth, path);
        } else if (v instanceof Object[] a) {
            array(sb, List.of(a), pretty, depth, path);
        } else if (v instanceof int[] a) {
            array(sb, java.util.Arrays.stream(a).boxed().toList(), pretty, depth, path);
        } else if (v instanceof long[] a) {
            array(sb, java.util.Arrays.stream(a).boxed().toList(), pretty, depth, path);
        } else if (v instanceof double[] a) {
            array(sb, java.util.Arrays.stream(a).boxed().toList(), pretty, depth, path);
        } else if (v instanceof float[] a) {
            List<Object> boxed = new ArrayList<>(a.length);
            for (float f : a) {
                boxed.add(f);
            }
            array(sb, boxed, pretty, depth, path);
        } else {
            throw new IllegalArgumentException("JSON cannot represent a " + v.getClass().getName() + " at " + path);
        }
    }

    private static void array(StringBuilder sb, List<?> items, boolean pretty, int depth, String path) {
        sb.append('[');
        boolean scalars = items.stream().noneMatch(x -> x instanceof Map || x instanceof Collection
                || x instanceof Object[]);
        for (int i = 0; i < items.size(); i++) {
            sb.append(i == 0 ? "" : scalars && pretty ? ", " : ",");
            if (!scalars) {
                newline(sb, pretty, depth + 1);
            }
            write(sb, items.get(i), pretty, depth + 1, path + "[" + i + "]");
        }
        if (!scalars && !items.isEmpty()) {
            newline(sb, pretty, depth);
        }
        sb.append(']');
    }

    private static void newline(StringBuilder sb, boolean pretty, int depth) {
        if (pretty) {
            sb.append('\n').append("  ".repeat(depth));
        }
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** Recursive-descent parser over the whole text. */
    private static final class Parser {
        private final String text;
        private final String source;
        private int pos;

        Parser(String text, String source) {
            this.text = text;
            this.source = source;
        }

        Object value(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nesting deeper than " + MAX_DEPTH);
            }
            if (pos >= text.length()) {
                throw error("unexpected end of input, expected a value");
            }
            char c = text.charAt(pos);
            return switch (c) {
                case '{' -> object(depth);
                case '[' -> array(depth);
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        yield number();
                    }
                    throw error("unexpected character '" + c + "', expected a value");
                }
            };
        }

        private Map<String, Object> object(int depth) {
            pos++;
            Map<String, Object> map = new LinkedHashMap<>();
            skipWhitespace();
            if (peek() == '}') {
                pos++;
                return Collections.unmodifiableMap(map);
            }
            while (true) {
                skipWhitespace();
                if (peek() != '"') {
                    throw error("expected a string key");
                }
                int keyPos = pos;
                String key = string();
                if (map.containsKey(key)) {
                    pos = keyPos;
                    throw error("duplicate key \"" + key + "\"");
                }
                skipWhitespace();
                expect(':');
                skipWhitespace();
                map.put(key, value(depth + 1));
                skipWhitespace();
                char c = peek();
                pos++;
                if (c == '}') {
                    return Collections.unmodifiableMap(map);
                }
                if (c != ',') {
                    pos--;
                    throw error("expected ',' or '}' in an object");
                }
            }
        }

        private List<Object> array(int depth) {
            pos++;
            List<Object> list = new ArrayList<>();
            skipWhitespace();
            if (peek() == ']') {
                pos++;
                return Collections.unmodifiableList(list);
            }
            while (true) {
                skipWhitespace();
                list.add(value(depth + 1));
                skipWhitespace();
                char c = peek();
                pos++;
                if (c == ']') {
                    return Collections.unmodifiableList(list);
                }
                if (c != ',') {
                    pos--;
                    throw error("expected ',' or ']' in an array");
                }
            }
        }

        private String string() {
            pos++;
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= text.length()) {
                    throw error("unterminated string");
                }
                char c = text.charAt(pos++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c < 0x20) {
                    pos--;
                    throw error("control character U+" + String.format("%04X", (int) c) + " in a string");
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                if (pos >= text.length()) {
                    throw error("unterminated escape");
                }
                char e = text.charAt(pos++);
                switch (e) {
                    case '"' -> sb.append('"');
                    case '\\' -> sb.append('\\');
                    case '/' -> sb.append('/');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (pos + 4 > text.length()) {
                            throw error("truncated \\u escape");
                        }
                        int code = 0;
                        for (int i = 0; i < 4; i++) {
                            int d = Character.digit(text.charAt(pos + i), 16);
                            if (d < 0) {
                                throw error("invalid \\u escape");
                            }
                            code = code * 16 + d;
                        }
                        pos += 4;
                        sb.append((char) code);
                    }
                    default -> {
                        pos--;
                        throw error("invalid escape '\\" + e + "'");
                    }
                }
            }
        }

        private Object number() {
            int start = pos;
            boolean integral = true;
            if (peek() == '-') {
                pos++;
            }
            if (peek() == '0') {
                pos++;
            } else if (isDigit(peek())) {
                digits();
            } else {
                throw error("invalid number");
            }
            if (peek() == '.') {
                integral = false;
                pos++;
                if (!isDigit(peek())) {
                    throw error("invalid number: digits expected after '.'");
                }
                digits();
            }
            if (peek() == 'e' || peek() == 'E') {
                integral = false;
                pos++;
                if (peek() == '+' || peek() == '-') {
                    pos++;
                }
                if (!isDigit(peek())) {
                    throw error("invalid number: digits expected in the exponent");
                }
                digits();
            }
            String literal = text.substring(start, pos);
            if (integral) {
                try {
                    return Long.parseLong(literal);
                } catch (NumberFormatException tooLarge) {
                    return Double.parseDouble(literal);
                }
            }
            return Double.parseDouble(literal);
        }

        private void digits() {
            while (isDigit(peek())) {
                pos++;
            }
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, pos)) {
                throw error("invalid literal, expected " + word);
            }
            pos += word.length();
            return value;
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        /** The current character, or NUL at the end (never valid where a token is expected). */
        private char peek() {
            return pos < text.length() ? text.charAt(pos) : '\0';
        }

        void skipWhitespace() {
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                pos++;
            }
        }

        JsonException error(String problem) {
            int line = 1;
            int column = 1;
            for (int i = 0; i < Math.min(pos, text.length()); i++) {
                if (text.charAt(i) == '\n') {
                    line++;
                    column = 1;
                } else {
                    column++;
                }
            }
            return new JsonException(source + ":" + line + ":" + column + ": " + problem);
        }
    }
}
