package org.example.it;

import org.example.records.Json;
import org.example.records.KafkaTransaction;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * Turns valid transaction messages into hostile ones, reproducibly from a seed: bytes flipped or
 * cut, fields dropped, given twice, renamed or of another JSON type, values at their extremes,
 * unusual unicode, huge strings, deep nesting, JSON that is not an object, trailing content,
 * a wrong Kafka key, redeliveries and reused ids. Some mutants are still valid messages (an extra
 * field, an amount at its limit, a redelivery), as in real traffic.
 */
final class MessageMutator {

    /** A message as the producer sends it: key and value bytes. */
    record Message(String key, byte[] value, String kind) {
        String text() {
            return new String(value, StandardCharsets.UTF_8);
        }
    }

    private static final List<String> FIELDS = List.of("transaction_id", "cc_num", "merchant_code", "amount",
            "event_time_ms", "latitude", "longitude");
    private static final List<String> ODD_TEXT = List.of(
            "\"\"", "\" \"", "\"\\u0000\"", "\"a\\u0007b\"", "\"\\ud800\"", "\"x\\udc00y\"", "\"\\ufeffT\"",
            "\"\\ud83d\\ude00 \\u05d0\\u05d1 e\\u0301\"", "\"\\\"quoted\\\"\"", "\"" + "x".repeat(64) + "\"",
            "\"" + "x".repeat(65) + "\"", "\"\\u202eRTL\"", "\"tab\\there\"", "\"new\\nline\"");
    private static final List<String> ODD_AMOUNTS = List.of("0", "-0.0", "-1", "0.001", "0.01", "1e-7",
            "999999.99", "1000000.00", "1000000.01", "1e308", "1e400", "4.9e-324", "123.456", "42",
            "12345678901234567890", "-1e308", "0.1e1", "42.50");
    private static final List<String> ODD_TIMES = List.of("0", "-1", "-9223372036854775808", "9223372036854775807",
            "9223372036854775808", "946684799999", "946684800000", "1.7e12", "9007199254740993", "1e30");
    private static final List<String> ODD_LATITUDES = List.of("90", "-90", "90.0000001", "-91", "1e10", "0");
    private static final List<String> ODD_LONGITUDES = List.of("180", "-180", "180.5", "-181", "-0.0");
    private static final List<String> NOT_OBJECTS = List.of("null", "[]", "42", "\"x\"", "true", "", " ", "{}",
            "[{\"transaction_id\": \"T\"}]", "\n");
    private static final List<String> TRAILERS = List.of(" }}garbage", " {}", "\n", " ", "x", "\u0000", ",", "]");

    private final Random random;
    private final long nowMs;
    private int fresh;

    MessageMutator(long seed, long nowMs) {
        this.random = new Random(seed);
        this.nowMs = nowMs;
    }

    /**
     * One mutant of {@code original}. Unless the mutation is about ids, it has a fresh transaction
     * id and happens at {@code streamTimeMs}, where the stream is, so that a mutant the rules let
     * through is not simply late but goes on to be enriched and scored.
     */
    Message mutate(KafkaTransaction original, long streamTimeMs) {
        Map<String, String> fields = fieldsOf(original);
        String key = original.ccNum();
        int kind = random.nextInt(20);
        if (kind != 17 && kind != 18) {
            fields.put("transaction_id", "\"F-" + (fresh++) + "\"");
            fields.put("event_time_ms", String.valueOf(streamTimeMs));
        }
        String extra = "";
        String name;
        switch (kind) {
            case 0 -> name = "flipped bytes";
            case 1 -> name = "cut";
            case 2 -> {
                fields.remove(pick(FIELDS));
                name = "field dropped";
            }
            case 3 -> {
                String field = pick(FIELDS);
                extra = ", \"" + field + "\": " + (random.nextBoolean() ? fields.get(field) : pick(ODD_AMOUNTS));
                name = "field twice";
            }
            case 4 -> {
                String field = pick(FIELDS);
                String value = fields.remove(field);
                fields.put(random.nextBoolean() ? field.toUpperCase() : field.replace("_", ""), value);
                name = "field renamed";
            }
            case 5 -> {
                String field = pick(FIELDS);
                fields.put(field, retyped(fields.get(field)));
                name = "field retyped";
            }
            case 6 -> {
                fields.put("amount", pick(ODD_AMOUNTS));
                name = "extreme amount";
            }
            case 7 -> {
                if (random.nextInt(4) == 0) {
                    // Just inside or outside the clock skew INGEST tolerates. One inside is valid and
                    // moves its card's clock ahead of the stream, so it goes to a card of its own.
                    fields.put("event_time_ms", String.valueOf(nowMs + (random.nextBoolean() ? 4 : 6) * 60_000L));
                    key = freshCard(fields);
                } else {
                    fields.put("event_time_ms", pick(ODD_TIMES));
                }
                name = "extreme event time";
            }
            case 8 -> {
                fields.put("latitude", pick(ODD_LATITUDES));
                fields.put("longitude", pick(ODD_LONGITUDES));
                name = "extreme location";
            }
            case 9 -> {
                String field = pick(List.of("transaction_id", "merchant_code", "cc_num"));
                fields.put(field, pick(ODD_TEXT));
                if (field.equals("cc_num")) {
                    key = parseText(fields.get(field));
                }
                name = "odd text in " + field;
            }
            case 10 -> {
                int size = random.nextInt(4) == 0 ? 70_000 + random.nextInt(100_000) : 100 + random.nextInt(60_000);
                extra = ", \"note\": \"" + "n".repeat(size) + "\"";
                name = "huge string";
            }
            case 11 -> {
                int depth = pick(List.of(5, 30, 31, 32, 33, 100, 10_000));
                extra = ", \"deep\": " + "[".repeat(depth) + "]".repeat(depth);
                name = "nesting " + depth;
            }
            case 12 -> {
                return new Message(key, bytes(pick(NOT_OBJECTS)), "not an object");
            }
            case 13 -> name = "trailing content";
            case 14 -> {
                key = pick(Arrays.asList(null, "", "4999999999999999", key + " "));
                name = "wrong key";
            }
            case 15 -> {
                extra = ", \"currency\": \"USD\", \"tags\": [1, 2, {\"a\": null}], \"score\": 1e5";
                name = "unknown fields";
            }
            case 16 -> {
                fields.put("amount", pick(List.of("NaN", "Infinity", "-Infinity", "+1", "01", ".5", "1.")));
                name = "not a JSON number";
            }
            case 17 -> {
                // A redelivery: the same values, possibly written in another order or spacing.
                return new Message(key, bytes(random.nextBoolean() ? Json.toJson(original) : reordered(fields)),
                        "redelivery");
            }
            case 18 -> {
                fields.put("amount", String.valueOf(original.amount() + 1));
                name = "reused id";
            }
            default -> {
                key = freshCard(fields);
                name = "unknown card";
            }
        }
        String text = "{" + joined(fields) + extra + "}";
        if (kind == 13) {
            text += pick(TRAILERS);
        }
        byte[] value = bytes(text);
        if (kind == 0) {
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                value[random.nextInt(value.length)] = (byte) random.nextInt(256);
            }
        } else if (kind == 1) {
            value = Arrays.copyOf(value, random.nextInt(value.length));
        }
        return new Message(key, value, name);
    }

    /** A card number no other message has, as the message's cc_num; returns it, the key to send with. */
    private String freshCard(Map<String, String> fields) {
        String card = "4" + (100_000_000_000_000L + fresh++);
        fields.put("cc_num", "\"" + card + "\"");
        return card;
    }

    private static Map<String, String> fieldsOf(KafkaTransaction txn) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("transaction_id", Json.toJson(txn.transactionId()));
        fields.put("cc_num", Json.toJson(txn.ccNum()));
        fields.put("merchant_code", Json.toJson(txn.merchantCode()));
        fields.put("amount", Json.toJson(txn.amount()));
        fields.put("event_time_ms", Json.toJson(txn.eventTimeMs()));
        fields.put("latitude", Json.toJson(txn.latitude()));
        fields.put("longitude", Json.toJson(txn.longitude()));
        return fields;
    }

    /** The same value as another JSON type: text for a number, a number for text, or a container. */
    private String retyped(String raw) {
        if (raw == null) {
            return "null";
        }
        List<Function<String, String>> ways = List.of(
                v -> v.startsWith("\"") ? v.substring(1, v.length() - 1).replaceAll("[^0-9]", "") + "1" : "\"" + v + "\"",
                v -> "true", v -> "null", v -> "[" + v + "]", v -> "{\"value\": " + v + "}", v -> "1.5");
        return pick(ways).apply(raw);
    }

    private String reordered(Map<String, String> fields) {
        List<String> names = new ArrayList<>(fields.keySet());
        Collections.shuffle(names, random);
        StringBuilder text = new StringBuilder("{ ");
        for (String name : names) {
            text.append(text.length() > 2 ? " ,\n\t" : "").append('"').append(name).append("\" :  ").append(fields.get(name));
        }
        return text.append(" }").toString();
    }

    private static String joined(Map<String, String> fields) {
        StringBuilder text = new StringBuilder();
        fields.forEach((name, value) -> text.append(text.length() > 0 ? ", " : "").append('"').append(name)
                .append("\": ").append(value));
        return text.toString();
    }

    private static String parseText(String rawJsonString) {
        try {
            return Json.MAPPER.readValue(rawJsonString, String.class);
        } catch (Exception e) {
            return rawJsonString;
        }
    }

    private <T> T pick(List<T> choices) {
        return choices.get(random.nextInt(choices.size()));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
