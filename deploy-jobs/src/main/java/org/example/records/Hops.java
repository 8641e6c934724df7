package org.example.records;

/**
 * When one input passed each hop of the pipeline (epoch ms, this member's clock; 0: not passed, or
 * not recorded), so that its latency from Kafka append to stored can be split where it is spent
 * (docs/BENCHMARK.md, "Where a transaction's time goes"). It rides on the input's
 * {@link KafkaOrigin}, which every hop already carries, so no stage record grows a field for it;
 * the append time is the origin's, the stored time the prediction's.
 *
 * <p>A few longs and {@code System.currentTimeMillis()} per stage: cheap enough to stay on in
 * production, where the same split tells which stage a slow prediction waited in.
 *
 * @param polledMs     the Kafka source handed the record on (its projection, right after the poll)
 * @param ingestMs     INGEST parsed it, on the card's member
 * @param featuresMs   FEATURES updated the card's windows
 * @param enrichMs     ENRICH looked up the card holder and merchant
 * @param predictInMs  the request reached PREDICT (TRANSFORM is before it)
 * @param predictOutMs PREDICT's reply was read
 */
public record Hops(long polledMs, long ingestMs, long featuresMs, long enrichMs, long predictInMs, long predictOutMs) {

    /** Nothing recorded yet: a test's input, or an origin that cannot be tied to an input. */
    public static final Hops NONE = new Hops(0, 0, 0, 0, 0, 0);

    public static Hops polledAt(long ms) {
        return new Hops(ms, 0, 0, 0, 0, 0);
    }

    public Hops ingestedAt(long ms) {
        return new Hops(polledMs, ms, featuresMs, enrichMs, predictInMs, predictOutMs);
    }

    public Hops featuredAt(long ms) {
        return new Hops(polledMs, ingestMs, ms, enrichMs, predictInMs, predictOutMs);
    }

    public Hops enrichedAt(long ms) {
        return new Hops(polledMs, ingestMs, featuresMs, ms, predictInMs, predictOutMs);
    }

    public Hops predictInAt(long ms) {
        return new Hops(polledMs, ingestMs, featuresMs, enrichMs, ms, predictOutMs);
    }

    public Hops predictOutAt(long ms) {
        return new Hops(polledMs, ingestMs, featuresMs, enrichMs, predictInMs, ms);
    }
}
