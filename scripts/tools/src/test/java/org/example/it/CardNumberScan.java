package org.example.it;

import com.hazelcast.core.DistributedObject;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.jet.impl.util.Util;
import com.hazelcast.map.IMap;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Looks for card numbers where they must not be (PCI DSS 3.5.1): in every map a cluster holds,
 * Jet's snapshot maps included, read as the bytes they are stored as, and in what was logged. A
 * card number counts as found as its digits (ASCII/UTF-8) and as a number: a long or a double, in
 * either byte order.
 */
final class CardNumberScan {

    private static final int MIN_DIGITS = 12;
    private static final int MAX_DIGITS = 19;

    private CardNumberScan() {
    }

    /** Where each card number was found, as "card ... in map m (key|value)". */
    static List<String> inMaps(HazelcastInstance hz, Collection<String> cards) {
        SerializationService serialization = Util.getNodeEngine(hz).getSerializationService();
        Needles needles = new Needles(cards);
        Set<String> found = new TreeSet<>();
        for (DistributedObject object : hz.getDistributedObjects()) {
            if (!(object instanceof IMap<?, ?> map)) {
                continue;
            }
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                needles.in(serialization.toData(entry.getKey()).toByteArray())
                        .forEach(card -> found.add("card ..." + last4(card) + " in map " + map.getName() + " (key)"));
                needles.in(serialization.toData(entry.getValue()).toByteArray())
                        .forEach(card -> found.add("card ..." + last4(card) + " in map " + map.getName() + " (value)"));
            }
        }
        return List.copyOf(found);
    }

    /** The names of the maps the cluster holds, so a test can say it looked at the snapshots too. */
    static Set<String> mapNames(HazelcastInstance hz) {
        Set<String> names = new TreeSet<>();
        hz.getDistributedObjects().stream().filter(o -> o instanceof IMap).forEach(o -> names.add(o.getName()));
        return names;
    }

    /** Where each card number was found in text (a log), as "card ... in <where>". */
    static List<String> inText(String text, String where, Collection<String> cards) {
        return new Needles(cards).in(text.getBytes(StandardCharsets.UTF_8)).stream()
                .map(card -> "card ..." + last4(card) + " in " + where).toList();
    }

    /**
     * Every record of a topic, key and value bytes side by side, committed or not (a transaction's
     * aborted records are on the broker's disk too): read from the start until a poll finds nothing.
     */
    static List<byte[]> everyRecord(String bootstrapServers, String topic) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<byte[]> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList());
            consumer.seekToBeginning(consumer.assignment());
            int emptyPolls = 0;
            while (emptyPolls < 3) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofSeconds(1));
                emptyPolls = batch.isEmpty() ? emptyPolls + 1 : 0;
                for (ConsumerRecord<byte[], byte[]> record : batch) {
                    records.add(record.key() == null ? new byte[0] : record.key());
                    records.add(record.value() == null ? new byte[0] : record.value());
                }
            }
        }
        return records;
    }

    /** The card numbers found in bytes, however stored. */
    static Set<String> inBytes(byte[] bytes, Collection<String> cards) {
        return new Needles(cards).in(bytes);
    }

    /** A handler that keeps every log record of the JVM's loggers while it is installed. */
    static final class LogCapture extends Handler implements AutoCloseable {
        private final StringBuilder text = new StringBuilder();
        private final SimpleFormatter formatter = new SimpleFormatter();

        LogCapture() {
            setLevel(Level.ALL);
            Logger.getLogger("").addHandler(this);
        }

        @Override
        public synchronized void publish(LogRecord record) {
            text.append(formatter.format(record));
        }

        synchronized String text() {
            return text.toString();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            Logger.getLogger("").removeHandler(this);
        }
    }

    /**
     * The card numbers looked for, by their digits and by the 8 bytes of the number as a long or a
     * double in either byte order; one pass over a byte array finds them all (hash look-ups at
     * each offset, not a search per card: a cluster holds tens of thousands of entries).
     */
    private static final class Needles {
        private final Set<String> digits = new HashSet<>();
        private final Map<Long, String> numbers = new HashMap<>();

        Needles(Collection<String> cards) {
            for (String card : cards) {
                digits.add(card);
                if (card.length() <= 18) {
                    long number = Long.parseLong(card);
                    numbers.put(number, card);
                    numbers.put(Double.doubleToRawLongBits(number), card);
                }
            }
        }

        Set<String> in(byte[] bytes) {
            Set<String> found = new TreeSet<>();
            int run = 0;
            for (int i = 0; i <= bytes.length; i++) {
                if (i < bytes.length && bytes[i] >= '0' && bytes[i] <= '9') {
                    run++;
                    continue;
                }
                // A run of digits ends at i. It is a card number if it is one whole, and not the
                // fraction of a decimal number (a model's text holds 0.40000000000000002).
                int start = i - run;
                boolean fraction = start > 0 && bytes[start - 1] == '.';
                if (run >= MIN_DIGITS && run <= MAX_DIGITS && !fraction) {
                    String candidate = new String(bytes, start, run, StandardCharsets.US_ASCII);
                    if (digits.contains(candidate)) {
                        found.add(candidate);
                    }
                }
                run = 0;
            }
            ByteBuffer big = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
            ByteBuffer little = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; !numbers.isEmpty() && i + Long.BYTES <= bytes.length; i++) {
                String card = numbers.getOrDefault(big.getLong(i), numbers.get(little.getLong(i)));
                if (card != null) {
                    found.add(card);
                }
            }
            return found;
        }
    }

    private static String last4(String card) {
        return card.substring(Math.max(0, card.length() - 4));
    }
}
