package org.example;

import com.hazelcast.jet.config.ProcessingGuarantee;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * The job's configuration, immutable. Each value comes from its command-line flag, else from its
 * environment variable, else from its default; {@link Option} is the one table of them, which
 * {@code --help} and the README print.
 *
 * @param kafkaProperties extra Kafka client properties (SASL, TLS, …) read from
 *                        {@link Option#KAFKA_PROPERTIES_FILE}; applied under the job's own settings
 */
public record JobSettings(
        String kafkaBootstrapServers,
        String kafkaTopic,
        Properties kafkaProperties,
        String jobName,
        ProcessingGuarantee processingGuarantee,
        long snapshotIntervalMs,
        int pythonParallelism,
        int pythonBatchSize,
        long allowedLagMs,
        IfRunning ifRunning) {

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
        JOB_NAME(Names.DEFAULT_JOB_NAME, "Name of the Jet job"),
        PROCESSING_GUARANTEE("EXACTLY_ONCE", "NONE, AT_LEAST_ONCE or EXACTLY_ONCE"),
        SNAPSHOT_INTERVAL_MS("10000", "Milliseconds between snapshots"),
        PYTHON_PARALLELISM("10", "Python processes per member (PREDICT local parallelism)"),
        PYTHON_BATCH_SIZE("1024", "Most transactions sent to Python in one call"),
        ALLOWED_LAG_MS("3600000", "How far behind the newest event a transaction may arrive and still get exact features"),
        IF_RUNNING("KEEP", "When a job of this name runs: KEEP it, or REPLACE it (cancel, wait, submit)");

        private final String defaultValue;
        private final String description;

        Option(String defaultValue, String description) {
            this.defaultValue = defaultValue;
            this.description = description;
        }

        /** Command-line flag, e.g. {@code --kafka-bootstrap-servers}. */
        public String flag() {
            return "--" + name().toLowerCase(Locale.ROOT).replace('_', '-');
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

    /** Reads flags ({@code --flag value} or {@code --flag=value}), then {@code env}, then defaults. */
    public static JobSettings from(String[] args, Map<String, String> env) {
        Map<Option, String> values = new EnumMap<>(Option.class);
        for (Option option : Option.values()) {
            String fromEnv = env.get(option.envVar());
            values.put(option, fromEnv != null && !fromEnv.isBlank() ? fromEnv.trim() : option.defaultValue());
        }
        values.putAll(parseFlags(args));
        return new JobSettings(
                values.get(Option.KAFKA_BOOTSTRAP_SERVERS),
                values.get(Option.KAFKA_TOPIC),
                readProperties(values.get(Option.KAFKA_PROPERTIES_FILE)),
                values.get(Option.JOB_NAME),
                parse(values, Option.PROCESSING_GUARANTEE, v -> ProcessingGuarantee.valueOf(v.toUpperCase(Locale.ROOT))),
                parsePositive(values, Option.SNAPSHOT_INTERVAL_MS),
                (int) parsePositive(values, Option.PYTHON_PARALLELISM),
                (int) parsePositive(values, Option.PYTHON_BATCH_SIZE),
                parsePositive(values, Option.ALLOWED_LAG_MS),
                parse(values, Option.IF_RUNNING, v -> IfRunning.valueOf(v.toUpperCase(Locale.ROOT))));
    }

    public JobSettings withPythonParallelism(int parallelism) {
        return new JobSettings(kafkaBootstrapServers, kafkaTopic, kafkaProperties, jobName, processingGuarantee,
                snapshotIntervalMs, parallelism, pythonBatchSize, allowedLagMs, ifRunning);
    }

    public JobSettings withKafka(String bootstrapServers, String topic) {
        return new JobSettings(bootstrapServers, topic, kafkaProperties, jobName, processingGuarantee,
                snapshotIntervalMs, pythonParallelism, pythonBatchSize, allowedLagMs, ifRunning);
    }

    /** The option table as lines of text, for {@code --help}. */
    public static String usage() {
        StringBuilder text = new StringBuilder("Options (flag, environment variable, default):\n");
        for (Option o : Option.values()) {
            text.append(String.format("  %-28s %-26s %-16s %s%n",
                    o.flag(), o.envVar(), o.defaultValue().isEmpty() ? "-" : o.defaultValue(), o.description()));
        }
        return text.toString();
    }

    private static Map<Option, String> parseFlags(String[] args) {
        Map<Option, String> values = new EnumMap<>(Option.class);
        List<String> rest = new ArrayList<>(List.of(args));
        while (!rest.isEmpty()) {
            String arg = rest.remove(0);
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            Option option = optionForFlag(name);
            if (value == null) {
                if (rest.isEmpty()) {
                    throw new IllegalArgumentException(name + " needs a value\n" + usage());
                }
                value = rest.remove(0);
            }
            values.put(option, value.trim());
        }
        return values;
    }

    private static Option optionForFlag(String flag) {
        for (Option o : Option.values()) {
            if (o.flag().equals(flag)) {
                return o;
            }
        }
        throw new IllegalArgumentException("Unknown option: " + flag + "\n" + usage());
    }

    private static <T> T parse(Map<Option, String> values, Option option, Function<String, T> parser) {
        String value = values.get(option);
        try {
            return parser.apply(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "Invalid value '" + value + "' for " + option.flag() + " / " + option.envVar()
                            + ": " + option.description(), e);
        }
    }

    private static long parsePositive(Map<Option, String> values, Option option) {
        long value = parse(values, option, Long::parseLong);
        if (value <= 0) {
            throw new IllegalArgumentException(
                    option.flag() + " / " + option.envVar() + " must be positive, was " + value);
        }
        return value;
    }

    private static Properties readProperties(String file) {
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
