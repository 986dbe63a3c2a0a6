package org.mseg.api.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void integersStayLongsAndFractionsBecomeDoubles() {
        Object v = Json.parse("[0, -7, 9223372036854775807, 1.5, -2e3, 1E-2, 12345678901234567890]", "t.json");
        assertEquals(List.of(0L, -7L, Long.MAX_VALUE, 1.5, -2000.0, 0.01, 1.2345678901234567e19), v);
    }

    @Test
    void stringsDecodeEveryEscape() {
        Object v = Json.parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"", "t.json");
        assertEquals("a\"b\\c/d\b\f\n\r\té\uD83D\uDE00", v);
    }

    @Test
    void objectsKeepKeyOrderAndLiteralsParse() {
        Object v = Json.parse(" {\"z\": true, \"a\": false, \"m\": null, \"e\": {}, \"l\": []} ", "t.json");
        Map<?, ?> m = assertInstanceOf(Map.class, v);
        assertEquals(List.of("z", "a", "m", "e", "l"), List.copyOf(m.keySet()));
        assertEquals(Boolean.TRUE, m.get("z"));
        assertNull(m.get("m"));
        assertTrue(m.containsKey("m"));
        assertEquals(Map.of(), m.get("e"));
        assertEquals(List.of(), m.get("l"));
    }

    @Test
    void writeThenParseRoundTripsNestedValuesExactly() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("seed", -4_611_686_018_427_387_904L);
        doc.put("lr", 0.01);
        doc.put("text", "tab\there \"quoted\" \u0001 é");
        doc.put("nothing", null);
        doc.put("ints", new int[] {1, 2});
        doc.put("nested", List.of(Map.of("k", List.of(1L, 2.5, "x")), List.of()));
        for (boolean pretty : new boolean[] {false, true}) {
            Object back = Json.parse(Json.write(doc, pretty), "t.json");
            Map<String, Object> expected = new LinkedHashMap<>(doc);
            expected.put("ints", List.of(1L, 2L));
            assertEquals(expected, back, "pretty=" + pretty);
        }
    }

    @Test
    void writingNaNNamesThePath() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Json.write(Map.of("training", Map.of("loss", Double.NaN)), false));
        assertTrue(e.getMessage().contains("$.training.loss"), e.getMessage());
    }

    @Test
    void errorsNameFileLineAndColumn() {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("{\n  \"a\": 1,\n  \"b\" 2\n}", "x.json"));
        assertTrue(e.getMessage().startsWith("x.json:3:7: expected ':'"), e.getMessage());
    }

    @Test
    void invalidDocumentsAreRejected() {
        for (String bad : List.of("", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "1e", "\"abc", "\"\\x\"",
                "\"\\u12\"", "tru", "nul", "{\"a\":1} x", "{'a':1}", "[1 2]", "\"a\nb\"", "{\"a\":1,\"a\":2}",
                "NaN", "+1")) {
            assertThrows(JsonException.class, () -> Json.parse(bad, "bad.json"), bad);
        }
    }

    @Test
    void deepNestingIsRefusedInsteadOfOverflowingTheStack() {
        char[] open = new char[100_000];
        Arrays.fill(open, '[');
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(new String(open), "deep.json"));
        assertTrue(e.getMessage().contains("nesting"), e.getMessage());
    }

    @Test
    void parsedContainersAreUnmodifiable() {
        Map<?, ?> m = (Map<?, ?>) Json.parse("{\"a\":[1]}", "t.json");
        assertThrows(UnsupportedOperationException.class, () -> m.remove("a"));
        assertThrows(UnsupportedOperationException.class, () -> ((List<?>) m.get("a")).clear());
    }
}
