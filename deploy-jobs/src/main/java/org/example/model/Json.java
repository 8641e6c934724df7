package org.example.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The one JSON configuration of the project: snake_case names (the Python side and the data files
 * use them), ISO dates, unknown fields ignored (producers may add fields), and strict records:
 * a missing field or a null where a number belongs is an error, never a silent zero.
 */
public final class Json {

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            // Jackson's own fast number code: reading the doubles of a Python reply with the JDK's
            // parser was a third of the reply's cost (scripts/microbench.sh, docs/BENCHMARK.md).
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();

    /** For every record whose fields must all be present (input messages, reference data). */
    public static ObjectReader strictReader(Class<?> type) {
        return MAPPER.readerFor(type);
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
