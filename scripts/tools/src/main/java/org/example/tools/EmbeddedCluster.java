package org.example.tools;

import com.hazelcast.config.Config;
import com.hazelcast.config.DataConnectionConfig;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.YamlConfigBuilder;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.example.definition.Names;
import org.example.definition.ReferenceTables;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Hazelcast members inside this JVM, for the demo and the tests. They start from the same
 * {@code scripts/hazelcast.yaml} as the members of {@code scripts/cluster.sh}; only the cluster
 * name and ports are changed, so an embedded cluster never joins a running local one, and where
 * the reference data lives: in the maps alone ({@link #referenceDataInMaps}, the default: the demo
 * and the tests that load the maps), or in a database the maps read through
 * ({@link #referenceDatabase}).
 */
public final class EmbeddedCluster implements AutoCloseable {

    private final List<HazelcastInstance> members;

    private EmbeddedCluster(List<HazelcastInstance> members) {
        this.members = members;
    }

    /** Members whose maps are all the reference data there is. */
    public static EmbeddedCluster start(Path memberYaml, String clusterName, int memberCount, int basePort) {
        return start(memberYaml, clusterName, memberCount, basePort, EmbeddedCluster::referenceDataInMaps);
    }

    /** Members whose configuration {@code adjust} changes further, e.g. {@link #referenceDatabase}. */
    public static EmbeddedCluster start(Path memberYaml, String clusterName, int memberCount, int basePort,
                                        Consumer<Config> adjust) {
        List<HazelcastInstance> members = new ArrayList<>();
        for (int i = 0; i < memberCount; i++) {
            Config config = config(memberYaml, clusterName, memberCount, basePort);
            adjust.accept(config);
            members.add(Hazelcast.newHazelcastInstance(config));
        }
        return new EmbeddedCluster(members);
    }

    /**
     * No reference database: the maps are the only store of customers and merchants, filled by the
     * loader, so they keep their entries (no expiry, no eviction) and a backup of each, and ENRICH reads them
     * alone. What the demo does, to start in seconds without a database (README).
     */
    public static void referenceDataInMaps(Config config) {
        config.getDataConnectionConfigs().remove(ReferenceTables.DATA_CONNECTION);
        for (String map : List.of(Names.CUSTOMERS_MAP, Names.MERCHANTS_MAP)) {
            MapConfig mapConfig = config.getMapConfig(map);
            mapConfig.setTimeToLiveSeconds(0).setBackupCount(MapConfig.DEFAULT_BACKUP_COUNT);
            mapConfig.getEvictionConfig().setEvictionPolicy(EvictionPolicy.NONE);
            mapConfig.getNearCacheConfig().setTimeToLiveSeconds(0);
        }
    }

    /** The reference database at {@code jdbcUrl}: the members' data connection, as in scripts/hazelcast.yaml. */
    public static Consumer<Config> referenceDatabase(String jdbcUrl) {
        return config -> {
            DataConnectionConfig database = config.getDataConnectionConfigs().get(ReferenceTables.DATA_CONNECTION);
            if (database == null) {
                throw new IllegalArgumentException("the member configuration has no data connection '"
                        + ReferenceTables.DATA_CONNECTION + "' to point at " + jdbcUrl);
            }
            database.setProperty("jdbcUrl", jdbcUrl);
        };
    }

    static Config config(Path memberYaml, String clusterName, int memberCount, int basePort) {
        Config config;
        try {
            config = new YamlConfigBuilder(memberYaml.toString()).build();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + memberYaml, e);
        }
        config.setClusterName(clusterName);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.getNetworkConfig().setPort(basePort).setPortAutoIncrement(true);
        config.getNetworkConfig().getRestApiConfig().setEnabled(false);
        // The file's split-brain protection asks for a majority of its three members; a cluster of
        // another size asks for a majority of its own, and a single member, which cannot be split,
        // for none (Hazelcast's minimum is two).
        config.getSplitBrainProtectionConfigs().values().forEach(protection -> {
            if (memberCount < 2) {
                protection.setEnabled(false);
            } else {
                protection.setMinimumClusterSize(memberCount / 2 + 1);
            }
        });
        JoinConfig join = config.getNetworkConfig().getJoin();
        join.getTcpIpConfig().setMembers(IntStream.range(basePort, basePort + memberCount)
                .mapToObj(port -> "127.0.0.1:" + port).toList());
        return config;
    }

    /** The first member: any member serves the Jet and map APIs for the whole cluster. */
    public HazelcastInstance member() {
        return members.get(0);
    }

    /**
     * Kills member {@code index} the way a crashed process goes: no graceful shutdown, its
     * partitions and the job's processors simply gone. Member 0, the one {@link #member()} returns,
     * is kept for the caller.
     */
    public void kill(int index) {
        if (index == 0) {
            throw new IllegalArgumentException("member 0 serves the caller; kill another");
        }
        members.get(index).getLifecycleService().terminate();
    }

    @Override
    public void close() {
        members.stream().filter(m -> m.getLifecycleService().isRunning()).forEach(HazelcastInstance::shutdown);
    }
}
