package org.example.tools;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import org.example.definition.Names;
import org.example.SqlMappings;
import org.example.definition.FeatureDefinition;
import org.example.records.Customer;
import org.example.records.FraudPrediction;
import org.example.records.Hops;
import org.example.records.Merchant;
import org.example.records.PredictionKey;
import org.example.stages.Act;
import org.example.stages.Transform;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;

/**
 * Fills {@value Names#PREDICTION_RESULT_MAP} with synthetic predictions, the job's own records,
 * for measuring what the live page costs against a full map (scripts/dashboard-cost.sh) without
 * scoring a million transactions first. Their {@code storedTimeMs} run at a steady rate up to
 * {@code --end-ms}, so any five minutes of them hold rate × 300. Cards and merchants are those of
 * the maps {@value Names#CUSTOMERS_MAP} and {@value Names#MERCHANTS_MAP} (load the reference data
 * first), so that the page finds the card holders' homes; a flagged one happens far from home.
 *
 * <p>It writes into a cleared map and fails unless the map then holds every prediction: a member
 * configuration whose size cap is below the count would otherwise evict some in silence.
 */
public final class PredictionFill {

    /** putAll calls in flight at once. */
    private static final int IN_FLIGHT = 4;

    private PredictionFill() {
    }

    public static void main(String[] args) {
        System.exit(Commands.execute(new Program(), args, System.out, System.err));
    }

    @Command(name = "PredictionFill", description = "Writes synthetic predictions into "
            + Names.PREDICTION_RESULT_MAP + " (the map is cleared first).")
    static final class Program implements Callable<Integer> {

        @Option(names = "--count", defaultValue = "1000000", converter = Commands.PositiveLong.class,
                description = "Predictions written")
        long count;

        @Option(names = "--rate", defaultValue = "2000", converter = Commands.PositiveInt.class,
                description = "Predictions per second of storedTimeMs")
        int rate;

        @Option(names = "--end-ms", defaultValue = "0", converter = Commands.NonNegativeLong.class,
                description = "The last storedTimeMs is before this (0: now)")
        long endMs;

        @Option(names = "--fraud-share", defaultValue = "0.01", converter = Commands.NonNegativeNumber.class,
                description = "Share of the predictions flagged as fraud, at most 1")
        double fraudShare;

        @Option(names = "--seed", defaultValue = "1", description = "Seed of the random choices")
        long seed;

        @Option(names = "--batch-size", defaultValue = "2000", converter = Commands.PositiveInt.class,
                description = "Entries per putAll")
        int batchSize;

        @Mixin
        ClusterClient cluster;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (fraudShare > 1) {
                throw Commands.usageError(spec, "--fraud-share is a share, at most 1, not " + fraudShare);
            }
            HazelcastInstance client = cluster.connect();
            try {
                long end = endMs == 0 ? System.currentTimeMillis() : endMs;
                Synthetic synthetic = new Synthetic(sorted(client.<String, Customer>getMap(Names.CUSTOMERS_MAP)),
                        sorted(client.<String, Merchant>getMap(Names.MERCHANTS_MAP)), count, rate, end, fraudShare,
                        FeatureDefinition.load().earthRadiusKm(), seed);
                fill(client, synthetic, batchSize, System.out);
            } finally {
                client.shutdown();
            }
            return 0;
        }
    }

    static void fill(HazelcastInstance client, Synthetic synthetic, int batchSize, PrintStream console) {
        SqlMappings.create(client);
        IMap<PredictionKey, FraudPrediction> map = client.getMap(Names.PREDICTION_RESULT_MAP);
        map.clear();
        long started = System.nanoTime();
        ConsoleProgress progress = ConsoleProgress.start(Names.PREDICTION_RESULT_MAP, synthetic.count(), console);
        Queue<CompletionStage<Void>> inFlight = new ArrayDeque<>();
        Map<PredictionKey, FraudPrediction> batch = new HashMap<>();
        for (long i = 0; i < synthetic.count(); i++) {
            FraudPrediction p = synthetic.prediction(i);
            batch.put(Act.key(p), p);
            if (batch.size() == batchSize || i == synthetic.count() - 1) {
                if (inFlight.size() == IN_FLIGHT) {
                    inFlight.remove().toCompletableFuture().join();
                }
                inFlight.add(map.putAllAsync(batch));
                batch = new HashMap<>();
                progress.update(i + 1);
            }
        }
        inFlight.forEach(stage -> stage.toCompletableFuture().join());
        progress.finish(synthetic.count());
        int size = map.size();
        if (size != synthetic.count()) {
            throw new IllegalStateException(Names.PREDICTION_RESULT_MAP + " holds " + size + " entries after "
                    + synthetic.count() + " were written: its size cap evicted some; raise it in the members' configuration");
        }
        console.printf("%,d predictions stored at %,d/s in %.1f s; storedTimeMs from %d to %d%n", size,
                synthetic.rate(), (System.nanoTime() - started) / 1e9, synthetic.storedTimeMs(0),
                synthetic.storedTimeMs(synthetic.count() - 1));
    }

    private static <T> List<T> sorted(IMap<String, T> map) {
        List<String> keys = new ArrayList<>(map.keySet());
        if (keys.isEmpty()) {
            throw new IllegalStateException("map " + map.getName() + " is empty: load the reference data first");
        }
        keys.sort(Comparator.naturalOrder());
        Map<String, T> values = map.getAll(new HashSet<>(keys));
        return keys.stream().map(values::get).toList();
    }

    /**
     * The {@code i}-th of {@code count} predictions, the same for the same seed: stored at
     * {@code rate} per second, the last just before {@code endMs}; latencies of 50 ms and up,
     * mostly a few hundred; scores near 0, except the flagged ones', which are above 0.5.
     */
    record Synthetic(List<Customer> customers, List<Merchant> merchants, long count, int rate, long endMs,
                     double fraudShare, double earthRadiusKm, long seed) {

        long storedTimeMs(long i) {
            // The last one (i = count - 1) lands in the millisecond before endMs.
            return endMs - 1 - Math.floorDiv((count - 1 - i) * 1000, rate);
        }

        FraudPrediction prediction(long i) {
            SplittableRandom random = new SplittableRandom(seed * 1_000_003 + i);
            Customer customer = customers.get(random.nextInt(customers.size()));
            Merchant merchant = merchants.get(random.nextInt(merchants.size()));
            boolean fraud = random.nextDouble() < fraudShare;
            // A flagged one up to 1,000 km from home, the others within some 30 km.
            double spread = fraud ? 9.0 : 0.3;
            double latitude = Math.max(-89.9, Math.min(89.9, customer.latitude() + (random.nextDouble() - 0.5) * spread));
            double longitude = customer.longitude() + (random.nextDouble() - 0.5) * spread;
            double distanceKm = Transform.haversineKm(customer.latitude(), customer.longitude(), latitude, longitude,
                    earthRadiusKm);
            double probability = fraud ? 0.5 + 0.5 * random.nextDouble() : Math.pow(random.nextDouble(), 6) * 0.5;
            long stored = storedTimeMs(i);
            long latencyMs = 50 + (long) (-250 * Math.log(1 - random.nextDouble()));
            long append = stored - latencyMs;
            double amount = Math.round(Math.exp(random.nextDouble() * 6) * 100) / 100.0;
            return new FraudPrediction("FILL-" + i, customer.cardToken(), "400000", String.format("%04d", i % 10_000),
                    merchant.merchantCode(), merchant.category(),
                    amount, append - 5, latitude, longitude, 1 + random.nextInt(10), amount * (1 + random.nextInt(10)),
                    1 + random.nextInt(40), distanceKm, probability, fraud, "fill", null, null,
                    fraud ? "DECLINE" : "APPROVE", "fill@metadata", List.of(), "", "fill", (int) (i % 12), i, append, stored, Hops.NONE);
        }
    }
}
