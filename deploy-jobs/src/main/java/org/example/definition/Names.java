package org.example.definition;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every name the job shares with the outside world: the Kafka topic, the maps, the job and the
 * stages. Loaders, the demo, tests and the SQL mappings read them from here, so a rename is one
 * edit.
 */
public final class Names {

    /** Kafka topic the transactions arrive on; key = card number, value = transaction JSON. */
    public static final String TRANSACTIONS_TOPIC = "transactions";

    /**
     * Output: every decision, keyed by card token so one card's decisions stay in order; value =
     * {@code Decision} JSON (docs/DATA.md). Written in Kafka transactions: read it read_committed.
     */
    public static final String DECISIONS_TOPIC = "fraud-decisions";
    /** Output: every dead letter, keyed by the input's Kafka position; value = {@code DeadLetter} JSON. */
    public static final String DEAD_LETTERS_TOPIC = "fraud-dead-letters";

    /** Reference data: card holder by card number ({@code String} → {@code Customer}). */
    public static final String CUSTOMERS_MAP = "customers";
    /** Reference data: merchant by merchant code ({@code String} → {@code Merchant}). */
    public static final String MERCHANTS_MAP = "merchants";
    /** Output: one entry per scored transaction ({@code PredictionKey} → {@code FraudPrediction}). */
    public static final String PREDICTION_RESULT_MAP = "predictionResult";
    /** Output: one entry per input that could not be scored ({@code String} → {@code DeadLetter}). */
    public static final String DEAD_LETTERS_MAP = "deadLetters";

    /** The model registry: every published model by version ({@code String} → {@code ModelEntry}). */
    public static final String MODELS_MAP = "models";
    /** Which models each job scores with, by job name ({@code String} → {@code ModelPointer}). */
    public static final String MODEL_POINTER_MAP = "modelPointer";
    /** What each member's scorers made of the models they were asked to use ({@code String} → {@code ModelStatus}). */
    public static final String MODEL_STATUS_MAP = "modelStatus";

    /** The scoring policy: band thresholds per model version, or for every model ({@code String} → {@code ScoringPolicy}). */
    public static final String SCORING_POLICY_MAP = "scoringPolicy";
    /** Every change of a scoring policy, by {@code <model>@<revision>} ({@code String} → {@code PolicyChange}). */
    public static final String POLICY_AUDIT_MAP = "policyAudit";

    /** The job supervisor's last word per job name ({@code String} → {@code JobSupervisor.Report}). */
    public static final String SUPERVISOR_MAP = "jobSupervisor";

    public static final String DEFAULT_JOB_NAME = "fraud-detection";

    /** Resource folder that is shipped to every member as the Python base directory. */
    public static final String PYTHON_RESOURCE_DIR = "org/example/";
    public static final String PYTHON_HANDLER_MODULE = "fraud_handler";
    public static final String PYTHON_HANDLER_FUNCTION = "transform_list";
    /** The model (LightGBM's text format) and its metadata (threshold, version, columns). */
    public static final String PYTHON_MODEL_FILE = "fraud_model.txt";
    public static final String PYTHON_MODEL_METADATA_FILE = "fraud_model.json";
    /**
     * Files of the Python base directory, all in {@link #PYTHON_RESOURCE_DIR}: the handler, the JAR's
     * model (what scores until the registry names one), the feature definition, the handler's
     * packages, and {@code init.sh}, which Hazelcast's Python init script runs on each member.
     */
    public static final String[] PYTHON_FILES = {
            "fraud_handler.py", PYTHON_MODEL_FILE, PYTHON_MODEL_METADATA_FILE, "features.json", "requirements.txt",
            "init.sh"
    };
    public static final String FEATURES_RESOURCE = PYTHON_RESOURCE_DIR + "features.json";

    /** Stage names, as they appear in the DAG, in Management Center and in the docs. */
    public static final class Stage {
        public static final String INGEST = "INGEST";
        public static final String FEATURES = "FEATURES";
        public static final String ENRICH = "ENRICH";
        public static final String TRANSFORM = "TRANSFORM";
        public static final String PREDICT = "PREDICT";
        public static final String ACT = "ACT";

        private Stage() {
        }
    }

    /**
     * Every {@code String} name above by the constant that holds it ({@code PREDICTION_RESULT_MAP} →
     * {@code predictionResult}): what lets the live page's SQL name a map by its constant (the SQL
     * bridge puts the name in) and a test go through every map.
     */
    public static Map<String, String> byConstant() {
        Map<String, String> names = new TreeMap<>();
        for (Field field : Names.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                try {
                    names.put(field.getName(), (String) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return Collections.unmodifiableMap(names);
    }

    private Names() {
    }
}
