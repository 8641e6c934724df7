package org.example.it;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Kafka from the image docker-compose.yml runs, started by Testcontainers. As in the compose file,
 * the environment variable {@code KAFKA_IMAGE} selects another image that behaves the same (on
 * machines without Docker Hub, the local stand-in of scripts/docker/build-standins.sh);
 * Testcontainers accepts it as a substitute for {@code apache/kafka}.
 */
final class ContainerKafka implements TestBroker {

    /** Keep in step with the default Kafka image of docker-compose.yml. */
    static final DockerImageName IMAGE = DockerImageName.parse("apache/kafka:4.4.0");

    private final KafkaContainer container;

    private ContainerKafka(KafkaContainer container) {
        this.container = container;
    }

    /** Whether a Docker engine answers here; the container test class is skipped, with its reason, when not. */
    static boolean dockerIsAvailable() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    static DockerImageName image() {
        String substitute = System.getenv("KAFKA_IMAGE");
        return substitute == null || substitute.isBlank()
                ? IMAGE
                : DockerImageName.parse(substitute).asCompatibleSubstituteFor(IMAGE.getUnversionedPart());
    }

    static ContainerKafka start() {
        KafkaContainer container = new KafkaContainer(image());
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
