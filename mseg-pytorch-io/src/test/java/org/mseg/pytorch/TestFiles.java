package org.mseg.pytorch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test resources written by tools/make_hrnet_fixtures.py, and a minimal JSON reader for their metadata. The
 * {@code torch.save} files are mseg-hrnet-tf's fixtures (HRNet state dicts and hand-made pickles), read here as plain
 * PyTorch files; the {@code .npy} files are this module's.
 */
final class TestFiles {
    static final Path RESOURCES = Path.of("src", "test", "resources");
    static final Path FIXTURES = Path.of("..", "mseg-hrnet-tf", "src", "test", "resources", "fixtures");
    static final Path PTH = FIXTURES.resolve("pth");
    static final Path NPY = RESOURCES.resolve("npy");

    private TestFiles() {
    }

    static Path fixture(String name, String file) {
        return FIXTURES.resolve(name).resolve(file);
    }

    static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses JSON into LinkedHashMap (key order kept), ArrayList, String, Double, Boolean and null. */
    static Object json(Path file) {
        try {
            Parser p = new Parser(Files.readString(file));
            Object value = p.value();
            p.skipSpace();
            if (p.pos != p.text.length()) {
                throw new IllegalArgumentException(file + ": trailing data at " + p.pos);
            }
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> jsonObject(Path file) {
        return (Map<String, Object>) json(file);
    }

    private static final class Parser {
        final String text;
        int pos;

        Parser(String text) {
            this.text = text;
        }

        void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        Object value() {
            skipSpace();
            char c = text.charAt(pos);
            switch (c) {
                case '{' -> {
                    pos++;
                    Map<String, Object> map = new LinkedHashMap<>();
                    skipSpace();
                    if (text.charAt(pos) == '}') {
                        pos++;
                        return map;
                    }
                    while (true) {
                        skipSpace();
                        String key = string();
                        skipSpace();
                        expect(':');
                        map.put(key, value());
                        skipSpace();
                        if (text.charAt(pos) == ',') {
                            pos++;
                        } else {
                            expect('}');
                            return map;
                        }
                    }
                }
                case '[' -> {
                    pos++;
                    List<Object> list = new ArrayList<>();
                    skipSpace();
                    if (text.charAt(pos) == ']') {
                        pos++;
                        return list;
                    }
                    while (true) {
                        list.add(value());
                        skipSpace();
                        if (text.charAt(pos) == ',') {
                            pos++;
                        } else {
                            expect(']');
                            return list;
                        }
                    }
                }
                case '"' -> {
                    return string();
                }
                default -> {
                    if (text.startsWith("true", pos)) {
                        pos += 4;
                        return Boolean.TRUE;
                    }
                    if (text.startsWith("false", pos)) {
                        pos += 5;
                        return Boolean.FALSE;
                    }
                    if (text.startsWith("null", pos)) {
                        pos += 4;
                        return null;
                    }
                    int start = pos;
                    while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
                        pos++;
                    }
                    return Double.parseDouble(text.substring(start, pos));
                }
            }
        }

        String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (text.charAt(pos) != '"') {
                char c = text.charAt(pos++);
                if (c == '\\') {
                    char e = text.charAt(pos++);
                    switch (e) {
                        case 'n' -> sb.append('\n');
                        case 't' -> sb.append('\t');
                        case 'u' -> {
                            sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                            pos += 4;
                        }
                        default -> sb.append(e);
                    }
                } else {
                    sb.append(c);
                }
            }
            pos++;
            return sb.toString();
        }

        void expect(char c) {
            if (text.charAt(pos) != c) {
                throw new IllegalArgumentException("expected '" + c + "' at " + pos + " but found '"
                        + text.charAt(pos) + "'");
            }
            pos++;
        }
    }
}
