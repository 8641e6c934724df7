package org.example.tools;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.example.records.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The load of the drills: the data set's transactions, in file order, at a steady rate, with a
 * {@link HostileMessages hostile message} every few seconds among them, until the data set ends or
 * the drill says stop. One producer, with the delivery settings of {@link TransactionProducer}
 * (idempotent, {@code acks=all}, one request in flight), so a card's messages, hostile pairs
 * included, reach Kafka in the order sent; every send is counted, and where each hostile message
 * landed is kept, with the reason it must end as.
 */
final class LoadStream implements AutoCloseable {

    /** A hostile message as Kafka stored it. */
    record Hostile(int partition, long offset, HostileMessages.Message message) {
    }

    /** What was sent: {@code valid} data-set lines and {@code hostile} messages acknowledged, {@code lost} not. */
    record Summary(long valid, long hostile, long lost, String firstError, Duration elapsed) {

        long inputs() {
            return valid + hostile;
        }

        String describe() {
            return String.format("sent %,d transactions and %,d hostile messages in %.0f s (%,.0f/s)%s", valid, hostile,
                    elapsed.toNanos() / 1e9, valid / Math.max(1e-9, elapsed.toNanos() / 1e9),
                    lost > 0 ? String.format("; LOST %,d (first error: %s)", lost, firstError) : "");
        }
    }

    private final Properties kafka;
    private final String topic;
    private final Path transactions;
    private final double ratePerSecond;
    private final Duration hostileEvery;
    private final HostileMessages hostileMessages;
    private final PrintStream console;
    private final AtomicLong validAcked = new AtomicLong();
    private final AtomicLong hostileAcked = new AtomicLong();
    private final AtomicLong attempted = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private final List<Hostile> hostile = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean stopRequested;
    private volatile long validSent;
    private Thread thread;
    private long startNanos;
    private long endNanos;

    LoadStream(Properties kafka, String topic, Path dataDir, double ratePerSecond, Duration hostileEvery,
               HostileMessages hostileMessages, PrintStream console) {
        this.kafka = kafka;
        this.topic = topic;
        this.transactions = dataDir.resolve(TransactionProducer.TRANSACTIONS_FILE);
        this.ratePerSecond = ratePerSecond;
        this.hostileEvery = hostileEvery;
        this.hostileMessages = hostileMessages;
        this.console = console;
    }

    LoadStream start() {
        startNanos = System.nanoTime();
        thread = new Thread(this::run, "load-stream");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** Data-set transactions sent so far (not yet necessarily acknowledged). */
    long validSent() {
        return validSent;
    }

    /** Asks the stream to end after the message it is sending. */
    void stop() {
        stopRequested = true;
    }

    boolean isRunning() {
        return thread != null && thread.isAlive();
    }

    /** Waits until the stream has ended and every send has its answer. */
    Summary await() throws InterruptedException {
        thread.join();
        return summary();
    }

    Summary summary() {
        long lost = attempted.get() - validAcked.get() - hostileAcked.get();
        return new Summary(validAcked.get(), hostileAcked.get(), lost, firstError.get(),
                Duration.ofNanos((endNanos > 0 ? endNanos : System.nanoTime()) - startNanos));
    }

    /** Where every acknowledged hostile message landed. */
    List<Hostile> hostile() {
        synchronized (hostile) {
            return List.copyOf(hostile);
        }
    }

    private void run() {
        double nanosPerRecord = 1e9 / ratePerSecond;
        long nextHostile = hostileEvery.isZero() ? Long.MAX_VALUE : startNanos + hostileEvery.toNanos();
        long sentValid = 0;
        try (Producer<String, String> producer = new KafkaProducer<>(TransactionProducer.producerProperties(kafka, console));
             BufferedReader reader = Files.newBufferedReader(transactions)) {
            String line;
            long lineNumber = 0;
            while (!stopRequested && firstError.get() == null && (line = reader.readLine()) != null) {
                lineNumber++;
                long wait = startNanos + (long) (sentValid * nanosPerRecord) - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                JsonNode transaction = Json.MAPPER.readTree(line);
                String key = TransactionProducer.keyOf(line, transactions, lineNumber);
                send(producer, key, line, null);
                validSent = ++sentValid;
                if (System.nanoTime() >= nextHostile) {
                    nextHostile += hostileEvery.toNanos();
                    for (HostileMessages.Message message : hostileMessages.next(
                            transaction.path("event_time_ms").asLong(), System.currentTimeMillis())) {
                        send(producer, message.key(), message.value(), message);
                    }
                }
            }
            // Returns once every send has completed and its callback has run.
            producer.flush();
        } catch (IOException e) {
            firstError.compareAndSet(null, "cannot read " + transactions + ": " + e);
        } catch (RuntimeException e) {
            firstError.compareAndSet(null, "sending stopped after " + attempted.get() + " records: " + e);
        } finally {
            endNanos = System.nanoTime();
        }
        if (completed.get() != attempted.get()) {
            firstError.compareAndSet(null, (attempted.get() - completed.get()) + " sends never completed");
        }
    }

    private void send(Producer<String, String> producer, String key, String value, HostileMessages.Message hostileMessage) {
        attempted.incrementAndGet();
        producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
            if (error != null) {
                firstError.compareAndSet(null, (hostileMessage == null ? "a transaction" : "a hostile message") + ": " + error);
            } else if (hostileMessage == null) {
                validAcked.incrementAndGet();
            } else {
                hostile.add(new Hostile(metadata.partition(), metadata.offset(), hostileMessage));
                hostileAcked.incrementAndGet();
            }
            completed.incrementAndGet();
        });
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        if (thread != null) {
            thread.join();
        }
    }
}
