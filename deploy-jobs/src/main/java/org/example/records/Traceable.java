package org.example.records;

/**
 * A record on its way through the pipeline that knows its transaction and the Kafka position it
 * came from, so that whatever happens to it can be told as that input's one outcome.
 */
public interface Traceable {

    Transaction transaction();

    KafkaOrigin origin();
}
