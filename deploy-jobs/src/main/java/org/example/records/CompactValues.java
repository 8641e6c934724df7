package org.example.records;

import com.hazelcast.nio.serialization.genericrecord.GenericRecord;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.LocalDate;
import java.util.Arrays;

/**
 * Reads a map value as one of our records, whatever form the lookup returned it in.
 *
 * <p>Why: on a cluster the record classes live only in the job JAR, and Hazelcast's zero-config
 * Compact serialisation resolves a type name to a class once, cluster-wide. So a lookup may return
 * the record itself (embedded members, which have the classes on their classpath), a
 * {@link GenericRecord} (a thread that could not load the class), or the same record class loaded
 * by an earlier job's class loader, which this job cannot cast. All three are read here, field by
 * field by record component name.
 */
public final class CompactValues {

    /** A record class's components and canonical constructor, looked up once per class. */
    private record Shape(RecordComponent[] components, Constructor<?> constructor) {
    }

    private static final ClassValue<Shape> SHAPES = new ClassValue<>() {
        @Override
        protected Shape computeValue(Class<?> type) {
            RecordComponent[] components = type.getRecordComponents();
            Class<?>[] parameterTypes = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
            try {
                return new Shape(components, type.getDeclaredConstructor(parameterTypes));
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(type + " has no canonical constructor", e);
            }
        }
    };

    private CompactValues() {
    }

    /** {@code value} as a {@code type}; {@code null} stays {@code null} (not found). */
    public static <R extends Record> R as(Object value, Class<R> type) {
        if (value == null || type.isInstance(value)) {
            return type.cast(value);
        }
        Shape shape = SHAPES.get(type);
        RecordComponent[] components = shape.components();
        Object[] args = new Object[components.length];
        if (value instanceof GenericRecord generic) {
            for (int i = 0; i < components.length; i++) {
                args[i] = field(generic, components[i]);
            }
        } else if (value instanceof Record foreign && foreign.getClass().getName().equals(type.getName())) {
            RecordComponent[] foreignComponents = SHAPES.get(foreign.getClass()).components();
            for (int i = 0; i < components.length; i++) {
                args[i] = accessor(foreign, foreignComponents[i]);
            }
        } else {
            throw new IllegalArgumentException("Expected a " + type.getSimpleName() + ", got " + value.getClass());
        }
        try {
            return type.cast(shape.constructor().newInstance(args));
        } catch (InstantiationException | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("Cannot build " + type.getSimpleName() + " from " + value, e);
        }
    }

    private static Object field(GenericRecord record, RecordComponent component) {
        String name = component.getName();
        Class<?> type = component.getType();
        if (type == String.class) {
            return record.getString(name);
        } else if (type == double.class) {
            return record.getFloat64(name);
        } else if (type == Double.class) {
            return record.getNullableFloat64(name);
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

    private static Object accessor(Record record, RecordComponent component) {
        try {
            return component.getAccessor().invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("Cannot read " + component + " of " + record, e);
        }
    }
}
