package org.example.it;

import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The scenario against Kafka in a container, the image docker-compose.yml runs. It needs a Docker
 * engine that this JVM reaches (DOCKER_HOST) and whose published ports it can connect to; where
 * none answers it is skipped with the reason below, which scripts/test.sh prints at the end.
 * scripts/compose-test.sh runs it for real: inside the network namespace of the engine it starts,
 * against the local Kafka stand-in (KAFKA_IMAGE), without Testcontainers' reaper and start-up
 * checks, whose images cannot be pulled there. {@link FraudPipelineIntegrationTest} proves the same
 * path with an in-JVM broker in every run.
 */
@EnabledIf(value = "org.example.it.ContainerKafka#dockerIsAvailable",
        disabledReason = "no Docker engine reachable from this JVM (DOCKER_HOST unset or not answering):"
                + " the Kafka-in-a-container scenario runs in scripts/compose-test.sh, inside its own"
                + " engine's network namespace; FraudPipelineIntegrationTest ran the same scenario"
                + " against an in-JVM broker")
class FraudPipelineContainerTest extends FraudPipelineScenario {

    @Override
    TestBroker startBroker() {
        return ContainerKafka.start();
    }
}
