package org.example;

import org.example.definition.Names;
import com.hazelcast.jet.config.ProcessingGuarantee;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The job's configuration, immutable. Each value comes from its command-line flag, else from its
 * environment variable (the option's name), else from its default; {@link Option} is the one
 * table of them, which {@code --help} prints and a test holds the README to.
 *
 * @param decisionsTopic   where every decision goes, in Kafka transactions; empty: nowhere but the map
 * @param deadLettersTopic where every dead letter goes, in Kafka transactions; empty: nowhere but the map
 * @param kafkaProperties extra Kafka client properties (SASL, TLS, …) read from
 *                        {@link Option#KAFKA_PROPERTIES_FILE}; applied under the job's own settings
 */
public record JobSettings(
        String kafkaBootstrapServers,
        String kafkaTopic,
        String decisionsTopic,
        String deadLettersTopic,
        Properties kafkaProperties,
        String jobName,
        ProcessingGuarantee processingGuarantee,
        long snapshotIntervalMs,
        int kafkaSourceParallelism,
        ScorerKind scorer,
        int pythonParallelism,
        int pythonBatchSize,
        long allowedLagMs,
        double maxAmount,
        int resumeAttempts,
        long resumeBackoffMs,
        IfRunning ifRunning) {

    /** Where PREDICT evaluates the model. */
    public enum ScorerKind {
        /** In Python processes on every member ({@code mapUsingPython} and fraud_handler.py). */
        PYTHON,
        /** In the JVM, the same model file read and evaluated in Java ({@code org.example.scoring}). */
        JAVA
    }

    /** What a submission does when a job of the same name is already running. */
    public enum IfRunning {
        /** Leave the running job alone; the submission is a no-op. */
        KEEP,
        /**
         * Cancel the running job, wait until it has stopped, then start the new one, which rebuilds
         * every card's state from the topic: the way to deploy a new version of the job's code (a new
         * model needs no new job: scripts/deploy-model.sh).
         */
        REPLACE
    }

    public enum Option {
        KAFKA_BOOTSTRAP_SERVERS("localhost:9092", "Kafka bootstrap servers"),
        KAFKA_TOPIC(Names.TRANSACTIONS_TOPIC, "Topic the transactions arrive on"),
        DECISIONS_TOPIC(Names.DECISIONS_TOPIC, "Topic every decision is written to, exactly once (empty: the map only)"),
        DEAD_LETTERS_TOPIC(Names.DEAD_LETTERS_TOPIC, "Topic every dead letter is written to, exactly once (empty: the map only)"),
        KAFKA_PROPERTIES_FILE("", "Properties file with extra Kafka client settings (SASL, TLS, ...)"),
        KAFKA_SOURCE_PARALLELISM("4", "Kafka consumers per member (the topic needs at least members × this partitions)"),
        JOB_NAME(Names.DEFAULT_JOB_NAME, "Name of the Jet job"),
        PROCESSING_GUARANTEE("EXACTLY_ONCE", "NONE, AT_LEAST_ONCE or EXACTLY_ONCE"),
        SNAPSHOT_INTERVAL_MS("10000", "Milliseconds between snapshots"),
        SCORER("PYTHON", "Where PREDICT runs the model: PYTHON (mapUsingPython) or JAVA (the same model in the JVM)"),
        PYTHON_PARALLELISM("10", "Python processes per member (PREDICT local parallelism)"),
        PYTHON_BATCH_SIZE("1024", "Most transactions sent to Python in one call"),
        ALLOWED_LAG_MS("3600000", "How far behind its card's newest transaction one may arrive and still get exact features"),
        MAX_AMOUNT("1000000", "Largest amount a transaction may have; a larger one is a dead letter (INVALID_FIELD)"),
        RESUME_ATTEMPTS("5", "Times in a row a failure with the same cause is resumed by itself; 0: never"),
        RESUME_BACKOFF_MS("5000", "Wait before the first automatic resume; doubles for each repeat, up to 5 minutes"),
        IF_RUNNING("KEEP", "When a job of this name runs: KEEP it, or REPLACE it (cancel, wait, submit; the new job rebuilds its state from the topic)");

        private final String defaultValue;
        private final String description;

        Option(String defaultValue, String description) {
            this.defaultValue = defaultValue;
            this.description = description;
        }

        /** Command-line flag without its dashes, e.g. {@code kafka-bootstrap-servers}. */
        public String flagName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** Environment variable, e.g. {@code KAFKA_BOOTSTRAP_SERVERS}. */
        public String envVar() {
            return name();
        }

        public String defaultValue() {
            return defaultValue;
        }

        public String description() {
            return description;
        }
    }

    public static JobSettings defaults() {
        return from(new String[0], Map.of());
    }

    /**
     * Reads flags ({@code --flag value} or {@code --flag=value}), then {@code env}, then defaults.
     *
     * @throws IllegalArgumentException for an unknown flag, a missing or invalid value, or
     *                                  {@code --help} (use {@link JobCommandLine} to honour it)
     */
    public static JobSettings from(String[] args, Map<String, String> env) {
        JobCommandLine line = JobCommandLine.parse(args, env);
        if (line.helpRequested()) {
            throw new IllegalArgumentException(line.usage());
        }
        return line.settings();
    }

    /** The settings of the values each option took. */
    static JobSettings of(Map<Option, String> values) {
        Values v = new Values(values);
        return new JobSettings(
                v.text(Option.KAFKA_BOOTSTRAP_SERVERS),
                v.text(Option.KAFKA_TOPIC),
                v.text(Option.DECISIONS_TOPIC),
                v.text(Option.DEAD_LETTERS_TOPIC),
                readKafkaProperties(v.text(Option.KAFKA_PROPERTIES_FILE)),
                v.text(Option.JOB_NAME),
                v.choice(Option.PROCESSING_GUARANTEE, ProcessingGuarantee.class),
                v.whole(Option.SNAPSHOT_INTERVAL_MS, 1),
                v.count(Option.KAFKA_SOURCE_PARALLELISM, 1),
                v.choice(Option.SCORER, ScorerKind.class),
                v.count(Option.PYTHON_PARALLELISM, 1),
                v.count(Option.PYTHON_BATCH_SIZE, 1),
                v.whole(Option.ALLOWED_LAG_MS, 0),
                v.number(Option.MAX_AMOUNT, 0.01),
                v.count(Option.RESUME_ATTEMPTS, 0),
                v.whole(Option.RESUME_BACKOFF_MS, 1),
                v.choice(Option.IF_RUNNING, IfRunning.class));
    }

    /** The option values as text, read into their types with a message that names the option. */
    private record Values(Map<Option, String> values) {

        String text(Option option) {
            return values.get(option);
        }

        long whole(Option option, long min) {
            String value = text(option);
            long parsed;
            try {
                parsed = Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw invalid(option, "must be a whole number, not '" + value + "'");
            }
            if (parsed < min) {
                throw invalid(option, "must be at least " + min + ", not " + parsed);
            }
            return parsed;
        }

        int count(Option option, int min) {
            long parsed = whole(option, min);
            if (parsed > Integer.MAX_VALUE) {
                throw invalid(option, "must be at most " + Integer.MAX_VALUE + ", not " + parsed);
            }
            return (int) parsed;
        }

        double number(Option option, double min) {
            String value = text(option);
            double parsed;
            try {
                parsed = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw invalid(option, "must be a number, not '" + value + "'");
            }
            if (!(parsed >= min) || Double.isInfinite(parsed)) {
                throw invalid(option, "must be at least " + min + ", not " + value);
            }
            return parsed;
        }

        <E extends Enum<E>> E choice(Option option, Class<E> type) {
            String value = text(option);
            try {
                return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Invalid value '" + value + "' for --" + option.flagName()
                        + " / " + option.envVar() + ": " + option.description(), e);
            }
        }

        private static IllegalArgumentException invalid(Option option, String problem) {
            return new IllegalArgumentException("--" + option.flagName() + " " + problem + " (" + option.envVar() + ")");
        }
    }

    public JobSettings withPythonParallelism(int parallelism) {
        return new JobSettings(kafkaBootstrapServers, kafkaTopic, decisionsTopic, deadLettersTopic, kafkaProperties, jobName, processingGuarantee,
                snapshotIntervalMs, kafkaSourceParallelism, scorer, parallelism, pythonBatchSize, allowedLagMs, maxAmount,
                resumeAttempts, resumeBackoffMs, ifRunning);
    }

    public JobSettings withKafka(String bootstrapServers, String topic) {
        return new JobSettings(bootstrapServers, topic, decisionsTopic, deadLettersTopic, kafkaProperties, jobName, processingGuarantee,
                snapshotIntervalMs, kafkaSourceParallelism, scorer, pythonParallelism, pythonBatchSize, allowedLagMs, maxAmount,
                resumeAttempts, resumeBackoffMs, ifRunning);
    }

    /** A Kafka client properties file (SASL, TLS, ...); empty properties for no file. */
    public static Properties readKafkaProperties(String file) {
        Properties properties = new Properties();
        if (file.isEmpty()) {
            return properties;
        }
        try (Reader reader = Files.newBufferedReader(Path.of(file))) {
            properties.load(reader);
            return properties;
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read Kafka properties file " + file + ": " + e, e);
        }
    }
}
