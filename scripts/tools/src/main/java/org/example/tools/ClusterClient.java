package org.example.tools;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import org.example.CommandLineFlags;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/** How the command-line tools connect to a cluster: the same two options, the same defaults. */
final class ClusterClient {

    /** The defaults match scripts/hazelcast.yaml. */
    static final List<CommandLineFlags.Flag> FLAGS = List.of(
            CommandLineFlags.Flag.option("cluster-name", "HZ_CLUSTER_NAME", "fraud-detection", "Hazelcast cluster name"),
            CommandLineFlags.Flag.option("addresses", "HZ_ADDRESSES", "127.0.0.1:5701", "Member addresses, comma-separated"));

    private ClusterClient() {
    }

    /** A client of the cluster the flags name; gives up after 30 s instead of retrying forever. */
    static HazelcastInstance connect(CommandLineFlags flags) {
        ClientConfig config = new ClientConfig();
        config.setClusterName(flags.get("cluster-name"));
        config.getNetworkConfig().setAddresses(Arrays.stream(flags.get("addresses").split(","))
                .map(String::trim).filter(a -> !a.isEmpty()).toList());
        config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(30_000);
        return HazelcastClient.newHazelcastClient(config);
    }

    /** A tool's own flags followed by the connection flags. */
    static List<CommandLineFlags.Flag> withConnectionFlags(List<CommandLineFlags.Flag> own) {
        return Stream.concat(own.stream(), FLAGS.stream()).toList();
    }
}
