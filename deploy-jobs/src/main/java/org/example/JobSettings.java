package org.example;

import org.example.definition.Names;
import com.hazelcast.jet.config.ProcessingGuarantee;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The job's configuration, immutable. Each value comes from its command-line flag, else from its
 * environment variable (the option's name), else from its default; {@link Option} is the one
 * table of them, which {@code --help} prints and a test holds the README to.
 *
 * @param kafkaProperties extra Kafka client properties (SASL, TLS, …) read from
 *                        {@link Option#KAFKA_PROPERTIES_FILE}; applied under the job's own settings
 * @param modelDir        directory of the submitting machine holding the model to score with
 *                        ({@code fraud_model.txt}, {@code fraud_model.json}); empty: the JAR's own
 */
public record JobSettings(
        String kafkaBootstrapServers,
        String kafkaTopic,
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
        IfRunning ifRunning,
        String modelDir) {

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
        /** Cancel the running job, wait until it has stopped, then start the new one. */
        REPLACE
    }

    public enum Option {
        KAFKA_BOOTSTRAP_SERVERS("localhost:9092", "Kafka bootstrap servers"),
        KAFKA_TOPIC(Names.TRANSACTIONS_TOPIC, "Topic the transactions arrive on"),
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
        IF_RUNNING("KEEP", "When a job of this name runs: KEEP it, or REPLACE it (cancel, wait, submit)"),
        MODEL_DIR("", "Directory with fraud_model.txt and fraud_model.json (train.py --out) to score with instead of the JAR's model");

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

    static final String SYNOPSIS = "Submits the fraud-detection job to the cluster hz-cli connects to.\n"
            + "usage: hz-cli submit fraud-detection-job.jar [options]";

    static final List<CommandLineFlags.Flag> FLAGS = Arrays.stream(Option.values())
            .map(o -> CommandLineFlags.Flag.option(o.flagName(), o.envVar(), o.defaultValue(), o.description()))
            .toList();

    public static JobSettings defaults() {
        return from(new String[0], Map.of());
    }

    /** Reads flags ({@code --flag value} or {@code --flag=value}), then {@code env}, then defaults. */
    public static JobSettings from(String[] args, Map<String, String> env) {
        return from(parse(args, env));
    }

    /** The command line as flags, so that a caller can honour {@code --help} / {@code -h} first. */
    public static CommandLineFlags parse(String[] args, Map<String, String> env) {
        return CommandLineFlags.parse(args, FLAGS, env, SYNOPSIS);
    }

    public static JobSettings from(CommandLineFlags flags) {
        return new JobSettings(
                flags.get(Option.KAFKA_BOOTSTRAP_SERVERS.flagName()),
                flags.get(Option.KAFKA_TOPIC.flagName()),
                readKafkaProperties(flags.get(Option.KAFKA_PROPERTIES_FILE.flagName())),
                flags.get(Option.JOB_NAME.flagName()),
                parseEnum(flags, Option.PROCESSING_GUARANTEE, ProcessingGuarantee.class),
                flags.getLong(Option.SNAPSHOT_INTERVAL_MS.flagName(), 1),
                flags.getInt(Option.KAFKA_SOURCE_PARALLELISM.flagName(), 1),
                parseEnum(flags, Option.SCORER, ScorerKind.class),
                flags.getInt(Option.PYTHON_PARALLELISM.flagName(), 1),
                flags.getInt(Option.PYTHON_BATCH_SIZE.flagName(), 1),
                flags.getLong(Option.ALLOWED_LAG_MS.flagName(), 0),
                flags.getDouble(Option.MAX_AMOUNT.flagName(), 0.01),
                flags.getInt(Option.RESUME_ATTEMPTS.flagName(), 0),
                flags.getLong(Option.RESUME_BACKOFF_MS.flagName(), 1),
                parseEnum(flags, Option.IF_RUNNING, IfRunning.class),
                flags.get(Option.MODEL_DIR.flagName()));
    }

    public JobSettings withPythonParallelism(int parallelism) {
        return new JobSettings(kafkaBootstrapServers, kafkaTopic, kafkaProperties, jobName, processingGuarantee,
                snapshotIntervalMs, kafkaSourceParallelism, scorer, parallelism, pythonBatchSize, allowedLagMs, maxAmount,
                resumeAttempts, resumeBackoffMs, ifRunning, modelDir);
    }

    public JobSettings withKafka(String bootstrapServers, String topic) {
        return new JobSettings(bootstrapServers, topic, kafkaProperties, jobName, processingGuarantee,
                snapshotIntervalMs, kafkaSourceParallelism, scorer, pythonParallelism, pythonBatchSize, allowedLagMs, maxAmount,
                resumeAttempts, resumeBackoffMs, ifRunning, modelDir);
    }

    /** The option table, for {@code --help}. */
    public static String usage() {
        return CommandLineFlags.usage(SYNOPSIS, FLAGS);
    }

    private static <E extends Enum<E>> E parseEnum(CommandLineFlags flags, Option option, Class<E> type) {
        String value = flags.get(option.flagName());
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid value '" + value + "' for --" + option.flagName()
                    + " / " + option.envVar() + ": " + option.description(), e);
        }
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
