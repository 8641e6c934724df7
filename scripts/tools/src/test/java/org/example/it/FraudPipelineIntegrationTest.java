package org.example.it;

/** The scenario against a real Kafka broker inside the test JVM: runs everywhere, Docker or not. */
class FraudPipelineIntegrationTest extends FraudPipelineScenario {

    @Override
    TestBroker startBroker() throws Exception {
        return EmbeddedKafka.start();
    }
}
