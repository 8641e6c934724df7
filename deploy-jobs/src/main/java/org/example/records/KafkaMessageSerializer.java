package org.example.records;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.StreamSerializer;

import java.io.IOException;

/**
 * Serialises {@link KafkaMessage}, the one record that crosses the network between members (from
 * the Kafka source to INGEST, routed by card). Registered on the job, not the cluster: Hazelcast's
 * zero-config Compact serialisation remembers a record's class cluster-wide by name, so after a
 * job is replaced the next job would get the old job's class and fail with
 * "KafkaMessage cannot be cast to KafkaMessage". A job's own serializer lives and dies with it.
 */
public final class KafkaMessageSerializer implements StreamSerializer<KafkaMessage> {

    /** Any positive id not used by another serializer of the job. */
    static final int TYPE_ID = 7301;

    @Override
    public int getTypeId() {
        return TYPE_ID;
    }

    @Override
    public void write(ObjectDataOutput out, KafkaMessage message) throws IOException {
        KafkaOrigin origin = message.origin();
        out.writeString(origin.topic());
        out.writeInt(origin.partition());
        out.writeLong(origin.offset());
        out.writeLong(origin.appendTimeMs());
        out.writeLong(origin.hops().polledMs());  // the only hop a message has passed yet
        out.writeString(message.key());
        out.writeString(message.cardKey());
        out.writeByteArray(message.value());
    }

    @Override
    public KafkaMessage read(ObjectDataInput in) throws IOException {
        KafkaOrigin origin = new KafkaOrigin(in.readString(), in.readInt(), in.readLong(), in.readLong(),
                Hops.polledAt(in.readLong()));
        return new KafkaMessage(origin, in.readString(), in.readString(), in.readByteArray());
    }
}
