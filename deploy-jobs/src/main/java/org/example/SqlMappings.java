package org.example;

import org.example.definition.Names;
import com.hazelcast.core.HazelcastInstance;
import org.example.records.Customer;
import org.example.records.DeadLetter;
import org.example.records.FraudPrediction;
import org.example.records.Merchant;
import org.example.records.PredictionKey;
import org.example.registry.ModelPointer;
import org.example.registry.ModelStatus;

import java.lang.reflect.RecordComponent;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * SQL mappings of the job's maps, so Management Center's SQL browser and any SQL client can query
 * them. The columns are derived from the stored records, so a new field appears in SQL without a
 * second edit.
 */
public final class SqlMappings {

    private static final Map<Class<?>, String> SQL_TYPES = Map.of(
            String.class, "VARCHAR",
            double.class, "DOUBLE",
            Double.class, "DOUBLE",
            long.class, "BIGINT",
            int.class, "INT",
            boolean.class, "BOOLEAN",
            LocalDate.class, "DATE");

    private SqlMappings() {
    }

    /** One {@code CREATE OR REPLACE MAPPING} statement per map. */
    public static List<String> statements() {
        return List.of(
                mapping(Names.PREDICTION_RESULT_MAP, PredictionKey.class, FraudPrediction.class),
                mapping(Names.DEAD_LETTERS_MAP, String.class, DeadLetter.class),
                mapping(Names.CUSTOMERS_MAP, String.class, Customer.class),
                mapping(Names.MERCHANTS_MAP, String.class, Merchant.class),
                // Which models score (the live page shows it): the registry's pointer and the members' reports.
                mapping(Names.MODEL_POINTER_MAP, String.class, ModelPointer.class),
                mapping(Names.MODEL_STATUS_MAP, String.class, ModelStatus.class));
    }

    public static void create(HazelcastInstance hz) {
        for (String statement : statements()) {
            hz.getSql().execute(statement).close();
        }
    }

    static String mapping(String mapName, Class<?> keyType, Class<? extends Record> valueType) {
        // A list of records (a prediction's reasons) has no SQL type; the record keeps its text beside it.
        String columns = Arrays.stream(valueType.getRecordComponents())
                // A nested record (a prediction's hops) has no SQL type either; SQL reads the flat fields.
                .filter(component -> component.getType() != List.class && !component.getType().isRecord())
                .map(SqlMappings::column)
                .collect(Collectors.joining(",\n    "));
        String keyOptions = keyType == String.class
                ? "'keyFormat' = 'varchar'"
                : "'keyFormat' = 'compact', 'keyCompactTypeName' = '" + keyType.getName() + "'";
        return "CREATE OR REPLACE MAPPING \"" + mapName + "\" (\n    " + columns + "\n) TYPE IMap OPTIONS (\n    "
                + keyOptions + ",\n    'valueFormat' = 'compact', 'valueCompactTypeName' = '"
                + valueType.getName() + "')";
    }

    private static String column(RecordComponent component) {
        String type = SQL_TYPES.get(component.getType());
        if (type == null) {
            throw new IllegalStateException("No SQL type for " + component);
        }
        return "\"" + component.getName() + "\" " + type;
    }
}
