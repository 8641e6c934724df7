package org.example.records;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.InjectableValues;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;

/**
 * The JSON configurations of the project: snake_case names (the Python side and the data files
 * use them), ISO dates, unknown fields ignored (producers may add fields), and records whose
 * fields must all be present: a missing field or a null where a number belongs is an error, never
 * a silent zero.
 *
 * <p>What arrives from outside (Kafka messages, reference data files) is read stricter still
 * ({@link #messageReader}): each value must have the JSON type docs/DATA.md gives it, so
 * {@code "42.50"} is not an amount and {@code 4000123} is not a card number; a key may appear once;
 * nothing may follow the object; and nesting and string sizes are bounded.
 */
public final class Json {

    /** Deeper than any transaction needs; a message nested deeper is refused before it costs much. */
    public static final int MAX_NESTING_DEPTH = 32;
    /** Longest string a message may hold (an unknown field included); INGEST bounds the whole message too. */
    public static final int MAX_STRING_LENGTH = 64 * 1024;

    public static final ObjectMapper MAPPER = builder(new JsonFactory()).build();

    private static final ObjectMapper STRICT = builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxStringLength(MAX_STRING_LENGTH)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            // No scalar becomes another: not a number a string, not a string a number, not a
            // boolean either...
            .withCoercionConfigDefaults(coercion -> coercion
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
            // ...except that 42 is as good a JSON number for an amount as 42.0.
            .withCoercionConfig(LogicalType.Float, coercion -> coercion
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.TryConvert))
            .build();

    private static JsonMapper.Builder builder(JsonFactory factory) {
        return JsonMapper.builder(factory)
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                // The one optional part of a strict read: an origin's hops, timing only, which a
                // request written before they existed (golden files, an older handler) lacks.
                .injectableValues(new InjectableValues.Std().addValue(Hops.class, Hops.NONE))
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                // Jackson's own fast number code: reading the doubles of a Python reply with the JDK's
                // parser was a third of the reply's cost (scripts/microbench.sh, docs/BENCHMARK.md).
                .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER);
    }

    /** For what arrives from outside: Kafka messages and the lines of reference data files. */
    public static ObjectReader messageReader(Class<?> type) {
        return STRICT.readerFor(type);
    }

    /**
     * Why {@code bytes} are not one well-formed JSON value under {@link #messageReader}'s limits, or
     * {@code null} if they are. For telling a malformed message from one with a bad field: Jackson
     * reports the first problem it meets, and a field of the wrong type may come before broken
     * bytes further on.
     */
    public static String wellFormednessProblem(byte[] bytes) {
        try (JsonParser parser = STRICT.getFactory().createParser(bytes)) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                return "no JSON value";
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                return "something follows the JSON value";
            }
            return null;
        } catch (IOException e) {
            String message = e instanceof JacksonException j ? j.getOriginalMessage() : e.getMessage();
            return message == null ? e.getClass().getSimpleName() : message.lines().findFirst().orElse(message);
        }
    }

    /** For records with optional parts, such as a score reply that carries either a score or an error. */
    public static ObjectReader lenientReader(Class<?> type) {
        return MAPPER.readerFor(type).without(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);
    }

    public static String toJson(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            // Only our own records are written, and they always serialise.
            throw new IllegalStateException("Cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    private Json() {
    }
}
