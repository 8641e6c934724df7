package org.example.it;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/** Kafka from the image docker-compose.yml runs, started by Testcontainers. */
final class ContainerKafka implements TestBroker {

    /** Keep in step with the Kafka image of docker-compose.yml. */
    static final DockerImageName IMAGE = DockerImageName.parse("apache/kafka:4.4.0");

    private final KafkaContainer container;

    private ContainerKafka(KafkaContainer container) {
        this.container = container;
    }

    /** Whether a Docker engine answers here; the container test class is skipped, with its reason, when not. */
    static boolean dockerIsAvailable() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    static ContainerKafka start() {
        KafkaContainer container = new KafkaContainer(IMAGE);
        container.start();
        return new ContainerKafka(container);
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public void close() {
        container.stop();
    }
}
