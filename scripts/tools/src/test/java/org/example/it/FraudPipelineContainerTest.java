package org.example.it;

import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The scenario against Kafka in a container, the image docker-compose.yml runs. Where no Docker
 * engine runs it is skipped with the reason below, which scripts/test.sh prints at the end;
 * {@link FraudPipelineIntegrationTest} proves the same path with an in-JVM broker.
 */
@EnabledIf(value = "org.example.it.ContainerKafka#dockerIsAvailable",
        disabledReason = "no Docker engine: Kafka-in-a-container scenario not run"
                + " (FraudPipelineIntegrationTest ran the same scenario against an in-JVM broker)")
class FraudPipelineContainerTest extends FraudPipelineScenario {

    @Override
    TestBroker startBroker() {
        return ContainerKafka.start();
    }
}
