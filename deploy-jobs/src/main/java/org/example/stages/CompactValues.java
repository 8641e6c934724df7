package org.example.stages;

import com.hazelcast.nio.serialization.genericrecord.GenericRecord;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads a map value as one of our records, whatever form the lookup returned it in.
 *
 * <p>Why: on a cluster the record classes live only in the job JAR. An asynchronous map lookup
 * completes on a Hazelcast thread that cannot see them, so a Compact value comes back as a
 * {@link GenericRecord} rather than a {@code Customer}. Embedded members (demo, tests) see the
 * classes and return the record itself. Both are accepted here, field by field by component name.
 */
final class CompactValues {

    private static final Map<Class<?>, Constructor<?>> CONSTRUCTORS = new ConcurrentHashMap<>();

    private CompactValues() {
    }

    /** {@code value} as a {@code type}; {@code null} stays {@code null} (not found). */
    static <R extends Record> R as(Object value, Class<R> type) {
        if (value == null || type.isInstance(value)) {
            return type.cast(value);
        }
        if (!(value instanceof GenericRecord generic)) {
            throw new IllegalArgumentException("Expected a " + type.getSimpleName() + ", got " + value.getClass());
        }
        RecordComponent[] components = type.getRecordComponents();
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            args[i] = field(generic, components[i]);
        }
        try {
            return type.cast(constructor(type).newInstance(args));
        } catch (InstantiationException | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("Cannot build " + type.getSimpleName() + " from " + generic, e);
        }
    }

    private static Object field(GenericRecord record, RecordComponent component) {
        String name = component.getName();
        Class<?> type = component.getType();
        if (type == String.class) {
            return record.getString(name);
        } else if (type == double.class) {
            return record.getFloat64(name);
        } else if (type == long.class) {
            return record.getInt64(name);
        } else if (type == int.class) {
            return record.getInt32(name);
        } else if (type == boolean.class) {
            return record.getBoolean(name);
        } else if (type == LocalDate.class) {
            return record.getDate(name);
        }
        throw new IllegalStateException("No Compact reader for " + component);
    }

    private static Constructor<?> constructor(Class<?> type) {
        return CONSTRUCTORS.computeIfAbsent(type, t -> {
            Class<?>[] parameterTypes = Arrays.stream(t.getRecordComponents())
                    .map(RecordComponent::getType).toArray(Class<?>[]::new);
            try {
                return t.getDeclaredConstructor(parameterTypes);
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(t + " has no canonical constructor", e);
            }
        });
    }
}
