package org.example;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedSaslMechanismException;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLHandshakeException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How a failed check reads: each Kafka failure as the one sentence a user acts on. The failures are
 * the exceptions kafka-clients 3.9.1 raised against a real SASL_SSL broker (scripts/kafka-tls-test.sh
 * runs them for real); here they are built by hand, so every branch is covered without a broker.
 */
class KafkaPreflightTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final String SECRET_REFERENCE = "${file:/etc/fraud/kafka-secret.properties:sasl.jaas.config}";

    private static Properties saslSsl() {
        Properties client = new Properties();
        client.setProperty("bootstrap.servers", "kafka-1.internal:9093");
        client.setProperty("security.protocol", "SASL_SSL");
        client.setProperty("sasl.mechanism", "SCRAM-SHA-512");
        client.setProperty("sasl.jaas.config", SECRET_REFERENCE);
        return client;
    }

    private static String explain(Throwable failure, Properties client) {
        return KafkaPreflight.explain(failure, client, "transactions", TIMEOUT);
    }

    /** As the client reports a refused TLS handshake: an SslAuthenticationException around the JDK's reason. */
    private static SslAuthenticationException handshakeFailed(Throwable reason) {
        SSLHandshakeException handshake = new SSLHandshakeException(reason.getMessage());
        handshake.initCause(reason);
        return new SslAuthenticationException("SSL handshake failed", handshake);
    }

    @Test
    void shouldNameTheBrokerAndWhereThePasswordComesFromWhenTheLoginIsRefused() {
        String message = explain(new SaslAuthenticationException("Authentication failed during authentication due to"
                + " invalid credentials with SASL mechanism SCRAM-SHA-512"), saslSsl());

        assertThat(message).isEqualTo("Kafka at kafka-1.internal:9093 refused the login (Authentication failed during"
                + " authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512): check the user name"
                + " and password in sasl.jaas.config (here " + SECRET_REFERENCE + ") and that the user exists for"
                + " SCRAM-SHA-512 on the broker");
    }

    @Test
    void shouldNeverShowAnInlineJaasConfigForItHoldsThePassword() {
        Properties client = saslSsl();
        client.setProperty("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"fraud\" password=\"s3cret-${x}\";");

        String message = explain(new SaslAuthenticationException("invalid credentials"), client);

        assertThat(message).doesNotContain("s3cret").doesNotContain("ScramLoginModule")
                .contains("check the user name and password in sasl.jaas.config and that the user exists");
    }

    @Test
    void shouldPointAtTheTrustStoreWhenTheBrokersCertificateIsNotTrusted() {
        // The chain Java 17's trust manager gives: ValidatorException (a CertificateException) around
        // a CertPathBuilderException.
        CertificateException untrusted = new CertificateException("PKIX path building failed",
                new CertPathBuilderException("unable to find valid certification path to requested target"));

        String message = explain(handshakeFailed(untrusted), saslSsl());

        assertThat(message).isEqualTo("Kafka at kafka-1.internal:9093 presented a certificate that no CA in this"
                + " client's trust store signed (TLS handshake failed: unable to find valid certification path to"
                + " requested target): set ssl.truststore.certificates (or ssl.truststore.location) to the CA that"
                + " signed the broker's certificate");
    }

    @Test
    void shouldRecogniseAnUntrustedCertificateByItsWordsAlone() {
        // A trust manager of another provider may say it without the JDK's exception types.
        String message = explain(handshakeFailed(new CertificateException(
                "PKIX path validation failed: signature check failed")), saslSsl());

        assertThat(message).contains("no CA in this client's trust store signed");
    }

    @Test
    void shouldSayWhenTheCertificateNamesAnotherHost() {
        String message = explain(handshakeFailed(new CertificateException(
                "No subject alternative DNS name matching kafka-1.internal found.")), saslSsl());

        assertThat(message).contains("presented a certificate for another name than the one connected to")
                .contains("bootstrap.servers").contains("advertised.listeners")
                .contains("turning off ssl.endpoint.identification.algorithm would let anyone in between read along");
    }

    @Test
    void shouldSayWhenTheCertificateHasExpired() {
        CertificateExpiredException expired = new CertificateExpiredException("NotAfter: Mon Dec 06 20:24:50 UTC 2027");

        assertThat(explain(handshakeFailed(expired), saslSsl()))
                .contains("presented a certificate outside its validity").contains("NotAfter");
    }

    @Test
    void shouldListWhatElseCanBreakAHandshake() {
        String message = explain(handshakeFailed(new SSLHandshakeException("Received fatal alert: bad_certificate")),
                saslSsl());

        assertThat(message).startsWith("Kafka at kafka-1.internal:9093 did not complete a TLS handshake (TLS handshake"
                        + " failed: Received fatal alert: bad_certificate)")
                .contains("ssl.keystore.*").contains("security.protocol");
    }

    @Test
    void shouldSuspectTheProtocolAsWellAsTheAddressWhenNothingAnswers() {
        Properties client = saslSsl();
        client.setProperty("security.protocol", "PLAINTEXT");

        String message = explain(new TimeoutException(), client);

        assertThat(message).isEqualTo("Kafka at kafka-1.internal:9093 did not answer within 15 s (PLAINTEXT): check"
                + " bootstrap.servers and that the broker is up and reachable from here; a client whose"
                + " security.protocol (PLAINTEXT) is not the listener's waits like this too, and a broker that is"
                + " only slow needs a longer default.api.timeout.ms");
    }

    @Test
    void shouldTreatKafkasOwnTimeoutAsNoAnswer() {
        String message = explain(new org.apache.kafka.common.errors.TimeoutException(
                "Timed out waiting for a node assignment. Call: describeTopics"), saslSsl());

        assertThat(message).startsWith("Kafka at kafka-1.internal:9093 did not answer within 15 s (SASL_SSL)");
    }

    @Test
    void shouldNameTheMechanismTheBrokerDoesNotEnable() {
        String message = explain(new UnsupportedSaslMechanismException(
                "Client SASL mechanism 'SCRAM-SHA-512' not enabled in the server, enabled mechanisms are [PLAIN]"), saslSsl());

        assertThat(message).startsWith("Kafka at kafka-1.internal:9093 does not accept SASL mechanism SCRAM-SHA-512")
                .endsWith("set sasl.mechanism to one the broker enables");
    }

    @Test
    void shouldSayWhichRightsTheUserLacks() {
        String message = explain(new TopicAuthorizationException(Set.of("transactions")), saslSsl());

        assertThat(message).startsWith("Kafka at kafka-1.internal:9093 does not let this client describe topic"
                + " 'transactions'").contains("grant its user DESCRIBE and READ on the topic");
    }

    @Test
    void shouldNameTheSettingThatCannotMakeAClient() {
        // Admin.create: a ${file:...} whose file is missing on this machine.
        KafkaException missingFile = new KafkaException("Failed to create new KafkaAdminClient",
                new ConfigException("Could not read properties from file /etc/fraud/kafka-secret.properties"));
        KafkaException badPem = new KafkaException("Failed to create new KafkaAdminClient",
                new KafkaException(new InvalidConfigurationException("No matching CERTIFICATE entries in PEM file")));

        assertThat(explain(missingFile, saslSsl())).isEqualTo("The Kafka client settings for Kafka at"
                + " kafka-1.internal:9093 cannot make a client (Could not read properties from file"
                + " /etc/fraud/kafka-secret.properties): fix them in the Kafka properties file");
        assertThat(explain(badPem, saslSsl())).contains("(No matching CERTIFICATE entries in PEM file)");
    }

    @Test
    void shouldStillNameTheBrokerAndTheCauseOfAnythingElse() {
        String message = explain(new KafkaException("outer", new IllegalStateException("inner cause")), saslSsl());

        assertThat(message).isEqualTo("Kafka at kafka-1.internal:9093 could not be checked (IllegalStateException: inner cause)");
    }

    @Test
    void shouldWaitAsLongAsTheClientsDefaultApiTimeoutElseAMinute() {
        Properties client = saslSsl();
        assertThat(KafkaPreflight.timeoutOf(client)).isEqualTo(Duration.ofSeconds(60));

        client.setProperty("default.api.timeout.ms", "15000");
        assertThat(KafkaPreflight.timeoutOf(client)).isEqualTo(Duration.ofSeconds(15));

        client.setProperty("default.api.timeout.ms", "soon");
        assertThat(KafkaPreflight.timeoutOf(client)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void shouldFailWithTheSentenceWhenSettingsCannotMakeAClient() {
        Properties client = saslSsl();
        client.setProperty("sasl.jaas.config", "${file:/nonexistent/kafka-secret.properties:sasl.jaas.config}");
        client.setProperty("config.providers", "file");
        client.setProperty("config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider");

        assertThatThrownBy(() -> KafkaPreflight.check(client, "transactions", TIMEOUT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("The Kafka client settings for Kafka at kafka-1.internal:9093 cannot make a client (Could not"
                        + " read properties from file /nonexistent/kafka-secret.properties): fix them in the Kafka"
                        + " properties file");
    }
}
