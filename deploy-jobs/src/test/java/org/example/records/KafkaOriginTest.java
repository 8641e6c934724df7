package org.example.records;

import com.hazelcast.config.Config;
import com.hazelcast.config.SerializerConfig;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaOriginTest {

    private static final Hops PASSED = new Hops(11, 12, 13, 14, 15, 16);

    @Test
    void shouldBeTheSameOriginWhereverTheInputWasSeen() {
        KafkaOrigin polled = new KafkaOrigin("transactions", 3, 42, 1000, Hops.polledAt(1005));
        KafkaOrigin predicted = polled.withHops(PASSED);

        assertThat(predicted).isEqualTo(polled).hasSameHashCodeAs(polled);
        assertThat(predicted.hops()).isEqualTo(PASSED);
        assertThat(predicted).isNotEqualTo(new KafkaOrigin("transactions", 3, 43, 1000, PASSED));
    }

    @Test
    void shouldCarryItsHopsThroughThePythonRoundTrip() throws Exception {
        KafkaOrigin origin = new KafkaOrigin("transactions", 3, 42, 1000, PASSED);

        KafkaOrigin echoed = Json.MAPPER.readerFor(KafkaOrigin.class).readValue(Json.toJson(origin));

        assertThat(echoed.hops()).isEqualTo(PASSED);
    }

    @Test
    void shouldReadARequestWrittenBeforeTheHopsStrictlyAndWithNone() throws Exception {
        String before = "{\"topic\":\"transactions\",\"partition\":3,\"offset\":42,\"append_time_ms\":1000}";

        KafkaOrigin origin = Json.MAPPER.readerFor(KafkaOrigin.class).readValue(before);

        assertThat(origin.hops()).isEqualTo(Hops.NONE);
        assertThat(origin.offset()).isEqualTo(42);
    }

    @Test
    void shouldStillRefuseAnOriginWithoutItsPosition() {
        String noOffset = "{\"topic\":\"transactions\",\"partition\":3,\"append_time_ms\":1000}";

        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> Json.MAPPER.readerFor(KafkaOrigin.class).readValue(noOffset))
                .hasMessageContaining("Missing creator property 'offset'");
    }

    @Test
    void shouldSendTheTimeItWasPolledWithAMessageToTheCardsMember() {
        InternalSerializationService serialization = new DefaultSerializationServiceBuilder()
                .setConfig(new Config().getSerializationConfig().addSerializerConfig(new SerializerConfig()
                        .setTypeClass(KafkaMessage.class).setImplementation(new KafkaMessageSerializer())))
                .build();
        KafkaMessage message = new KafkaMessage(new KafkaOrigin("transactions", 3, 42, 1000, Hops.polledAt(1005)),
                "4000000000000001", "tok", new byte[]{1, 2});

        KafkaMessage read = serialization.toObject(serialization.toData(message));

        assertThat(read.origin().hops().polledMs()).isEqualTo(1005);
        assertThat(read.origin()).isEqualTo(message.origin());
    }
}
