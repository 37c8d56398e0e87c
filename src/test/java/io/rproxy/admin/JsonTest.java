package io.rproxy.admin;

import io.rproxy.cli.JsonReader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The admin port's JSON writer and the CLI's reader: exact output, escaping, strictness. */
class JsonTest {

    @Test
    void writesNestedDocumentsWithCommasInPlace() {
        String json = new JsonWriter().beginObject()
                .field("a", 1)
                .name("b").beginArray().value(true).nullValue().value("x").beginObject().endObject().endArray()
                .name("c").beginObject().field("d", false).endObject()
                .name("e").value(2.5)
                .name("f").value(Double.NaN)
                .endObject().toString();

        assertEquals("{\"a\":1,\"b\":[true,null,\"x\",{}],\"c\":{\"d\":false},\"e\":2.5,\"f\":null}", json);
    }

    @Test
    void escapesWhatJsonRequiresAndNothingElse() {
        String nasty = "q\"b\\s/ n\n r\r t\t \u0001 \u001f é 日本 \uD83D\uDE00";
        String json = new JsonWriter().beginObject().field(nasty, nasty).endObject().toString();

        String escaped = "\"q\\\"b\\\\s/ n\\n r\\r t\\t \\u0001 \\u001f é 日本 \uD83D\uDE00\"";
        assertEquals("{" + escaped + ":" + escaped + "}", json);
        assertEquals(Map.of(nasty, nasty), JsonReader.parse(json));
    }

    @Test
    void readsEveryKindOfValue() {
        Object parsed = JsonReader.parse(" { \"s\" : \"a\\u00e9\\/\\\"\", \"i\": -12, \"big\": 12345678901234567890,"
                + " \"d\": 1.5e3, \"t\": true, \"f\": false, \"n\": null, \"l\": [1, [2], {}] } ");

        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("s", "aé/\"");
        expected.put("i", -12L);
        expected.put("big", 1.2345678901234567e19);
        expected.put("d", 1500.0);
        expected.put("t", true);
        expected.put("f", false);
        expected.put("n", null);
        expected.put("l", List.of(1L, List.of(2L), Map.of()));
        assertEquals(expected, parsed);
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(((Map<?, ?>) parsed).keySet()), "order kept");
    }

    @Test
    void readsNutcrackersStatsAsItPrintsThem() {
        String stats = "{\"service\":\"nutcracker\", \"source\":\"vm\", \"version\":\"0.5.0\", \"uptime\":2, "
                + "\"alpha\": {\"client_eof\":3, \"one\": {\"server_eof\":0, \"requests\":3}}}";

        Map<String, Object> parsed = JsonReader.parseObject(stats);

        assertEquals(3L, ((Map<?, ?>) ((Map<?, ?>) parsed.get("alpha")).get("one")).get("requests"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "[1 2]", "01", "1.", "-",
        "\"unterminated", "\"bad \\x escape\"", "\"raw \u0001 control\"", "tru", "nul", "{} {}", "{\"a\":1,\"a\":2}",
        "\"\\u12\""})
    void refusesMalformedDocuments(String text) {
        assertThrows(IllegalArgumentException.class, () -> JsonReader.parse(text), text);
    }

    @Test
    void boundsNesting() {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JsonReader.parse(deep));
        assertEquals(true, e.getMessage().contains("nested deeper"), e.getMessage());
        char[] ok = new char[64];
        Arrays.fill(ok, '[');
        JsonReader.parse(new String(ok) + "]".repeat(64));
    }
}
