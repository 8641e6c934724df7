package org.example;

import com.hazelcast.logging.ILogger;
import com.hazelcast.logging.Logger;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.UnsupportedSaslMechanismException;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Checks, before anything is submitted or sent, that Kafka answers with the client settings given:
 * one describe of the topic, within a time limit. A broker that refuses them does not make the job
 * or a tool wait: Jet's Kafka source would retry a rejected login or an untrusted certificate
 * inside a running job, and a client whose {@code security.protocol} does not match the listener
 * waits without a word. Here each becomes one sentence that names the broker, the cause and the
 * setting to fix ({@link #explain}).
 *
 * <p>It runs where it is called: at submit, on the submitting machine. The members create their
 * own Kafka clients later, from the same properties; what only a member has (a file named by
 * {@code ${file:...}} or {@code ssl.truststore.location}) must be on the submitting machine too,
 * at the same path, for this check to pass (docs/DEPLOY.md, "Kafka over TLS with SASL").
 */
public final class KafkaPreflight {

    /**
     * How long the check waits for an answer unless the client settings give
     * {@code default.api.timeout.ms}: Kafka's own default for an admin call. A refused login or
     * certificate is reported at once; only silence (no broker, or a listener of another
     * protocol) waits this long. 15 s was too short on a 2-core machine at load 55, where a
     * broker that accepted the login had not answered by then (docs/DESIGN.md).
     */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private static final ILogger LOG = Logger.getLogger(KafkaPreflight.class);
    /** A config provider's reference, e.g. {@code ${file:/etc/fraud/kafka.secret:sasl.jaas.config}}. */
    private static final Pattern CONFIG_REFERENCE = Pattern.compile("\\$\\{[^}$]+}");

    /**
     * What the check found.
     *
     * @param partitions the topic's partitions; 0 when it does not exist yet (not an error: the job
     *                   waits for it, and the producer creates it)
     */
    public record Reachable(String bootstrapServers, String securityProtocol, String topic, int partitions) {

        public String describe() {
            return "Kafka at " + bootstrapServers + " answered over " + securityProtocol + "; topic '" + topic + "' "
                    + (partitions > 0 ? "has " + partitions + " partitions" : "does not exist yet");
        }
    }

    private KafkaPreflight() {
    }

    /** The job's check, with the settings its Kafka source will use; logs what it found. */
    public static Reachable check(JobSettings settings) {
        Properties client = new Properties();
        client.putAll(settings.kafkaProperties());
        client.setProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, settings.kafkaBootstrapServers());
        Reachable reachable = check(client, settings.kafkaTopic());
        LOG.info(reachable.describe());
        return reachable;
    }

    /** {@link #check(Properties, String, Duration)} for as long as the settings' {@link #timeoutOf}. */
    public static Reachable check(Properties clientProperties, String topic) {
        return check(clientProperties, topic, timeoutOf(clientProperties));
    }

    /**
     * The time limit of the check: the client settings' {@code default.api.timeout.ms}, else
     * {@link #DEFAULT_TIMEOUT}. (A value that is not a number is left to the admin client to refuse.)
     */
    static Duration timeoutOf(Properties clientProperties) {
        String given = clientProperties.getProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "").strip();
        try {
            long ms = Long.parseLong(given);
            return ms > 0 ? Duration.ofMillis(ms) : DEFAULT_TIMEOUT;
        } catch (NumberFormatException notANumber) {
            return DEFAULT_TIMEOUT;
        }
    }

    /**
     * Describes {@code topic} with an admin client made of {@code clientProperties}.
     *
     * @throws IllegalStateException with one sentence saying what is wrong and what to fix, when
     *                               Kafka does not answer, refuses the login or the TLS handshake,
     *                               or the settings cannot make a client
     */
    public static Reachable check(Properties clientProperties, String topic, Duration timeout) {
        String servers = clientProperties.getProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "");
        String protocol = clientProperties.getProperty(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT");
        Properties admin = new Properties();
        admin.putAll(clientProperties);
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        admin.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(timeoutMs));
        // One request may take the whole limit: a slow answer is still an answer.
        admin.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(timeoutMs));
        admin.setProperty(AdminClientConfig.CLIENT_ID_CONFIG, "fraud-detection-preflight");
        try (Admin kafka = Admin.create(admin)) {
            TopicDescription description = kafka.describeTopics(List.of(topic)).allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic);
            return new Reachable(servers, protocol, topic, description.partitions().size());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return new Reachable(servers, protocol, topic, 0);
            }
            throw new IllegalStateException(explain(e.getCause(), clientProperties, topic, timeout), e.getCause());
        } catch (TimeoutException | RuntimeException e) {
            // RuntimeException: Admin.create refuses settings it cannot build a client from.
            throw new IllegalStateException(explain(e, clientProperties, topic, timeout), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while checking Kafka at " + servers, e);
        }
    }

    /** One sentence for a failed check: the broker, the cause, and the setting to fix. */
    static String explain(Throwable failure, Properties client, String topic, Duration timeout) {
        String at = "Kafka at " + client.getProperty(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "(no bootstrap.servers)");
        String protocol = client.getProperty(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT");
        if (failure instanceof SaslAuthenticationException) {
            return at + " refused the login (" + failure.getMessage() + "): check the user name and password in "
                    + SaslConfigs.SASL_JAAS_CONFIG + whereFrom(client, SaslConfigs.SASL_JAAS_CONFIG)
                    + " and that the user exists for " + mechanism(client) + " on the broker";
        }
        if (failure instanceof UnsupportedSaslMechanismException) {
            return at + " does not accept SASL mechanism " + mechanism(client) + " (" + failure.getMessage()
                    + "): set " + SaslConfigs.SASL_MECHANISM + " to one the broker enables";
        }
        if (failure instanceof SslAuthenticationException) {
            return at + tlsFailure(failure);
        }
        if (failure instanceof AuthorizationException) {
            return at + " does not let this client describe topic '" + topic + "' (" + failure.getMessage()
                    + "): grant its user DESCRIBE and READ on the topic (the producer also WRITE and CREATE)";
        }
        if (failure instanceof TimeoutException || failure instanceof org.apache.kafka.common.errors.TimeoutException) {
            return at + " did not answer within " + timeout.toSeconds() + " s (" + protocol + "): check "
                    + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG + " and that the broker is up and reachable from here;"
                    + " a client whose " + CommonClientConfigs.SECURITY_PROTOCOL_CONFIG + " (" + protocol
                    + ") is not the listener's waits like this too, and a broker that is only slow needs a longer "
                    + AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG;
        }
        Throwable config = find(failure, ConfigException.class, InvalidConfigurationException.class, IllegalArgumentException.class);
        if (config != null) {
            return "The Kafka client settings for " + at + " cannot make a client (" + config.getMessage()
                    + "): fix them in the Kafka properties file";
        }
        Throwable root = rootCause(failure);
        return at + " could not be checked (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }

    private static String tlsFailure(Throwable failure) {
        Throwable root = rootCause(failure);
        String detail = " (TLS handshake failed: " + root.getMessage() + ")";
        String message = String.valueOf(root.getMessage()).toLowerCase(Locale.ROOT);
        if (find(failure, CertificateExpiredException.class, CertificateNotYetValidException.class) != null) {
            return " presented a certificate outside its validity" + detail + ": the broker needs a current certificate";
        }
        // The JDK's trust manager puts a CertPathBuilderException in the chain; others only say it in words.
        if (find(failure, CertPathBuilderException.class, CertPathValidatorException.class) != null
                || message.contains("pkix path") || message.contains("certification path")) {
            return " presented a certificate that no CA in this client's trust store signed" + detail + ": set "
                    + SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG + " (or " + SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG
                    + ") to the CA that signed the broker's certificate";
        }
        // The JDK's host name check: "No subject alternative DNS name matching ... found", "No subject
        // alternative names matching IP address ...", "No subject alternative names present", "No name matching ...".
        if (message.contains("no subject alternative") || message.contains("no name matching")) {
            return " presented a certificate for another name than the one connected to" + detail + ": use an address"
                    + " its certificate names in " + CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG
                    + " and the broker's advertised.listeners, or fix the certificate (turning off "
                    + SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG + " would let anyone in between read along)";
        }
        return " did not complete a TLS handshake" + detail + ": check the " + SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG
                + " / ssl.truststore.* settings, a client certificate (ssl.keystore.*) if the broker asks for one,"
                + " and that the listener speaks TLS at all (" + CommonClientConfigs.SECURITY_PROTOCOL_CONFIG + ")";
    }

    /**
     * {@code " (here ${file:...})"} when the whole setting is a config provider's reference, else
     * nothing: the value itself may hold a password and is never shown.
     */
    private static String whereFrom(Properties client, String key) {
        String value = client.getProperty(key, "").strip();
        return CONFIG_REFERENCE.matcher(value).matches() ? " (here " + value + ")" : "";
    }

    private static String mechanism(Properties client) {
        return client.getProperty(SaslConfigs.SASL_MECHANISM, SaslConfigs.DEFAULT_SASL_MECHANISM);
    }

    @SafeVarargs
    private static Throwable find(Throwable failure, Class<? extends Throwable>... types) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            for (Class<? extends Throwable> type : types) {
                if (type.isInstance(t)) {
                    return t;
                }
            }
        }
        return null;
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }
}
