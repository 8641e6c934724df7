package org.example.tools;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import picocli.CommandLine.Option;

import java.util.List;

/**
 * How the command-line tools connect to a cluster: the same two options, the same defaults (those
 * of scripts/hazelcast.yaml), mixed into each tool's command line with {@code @Mixin}.
 */
final class ClusterClient {

    @Option(names = "--cluster-name", defaultValue = "${env:HZ_CLUSTER_NAME:-fraud-detection}",
            description = "Hazelcast cluster name (env HZ_CLUSTER_NAME)")
    String clusterName;

    @Option(names = "--addresses", split = ",", defaultValue = "${env:HZ_ADDRESSES:-127.0.0.1:5701}",
            description = "Member addresses, comma-separated (env HZ_ADDRESSES)")
    List<String> addresses;

    /** A client of the cluster the options name; gives up after 30 s instead of retrying forever. */
    HazelcastInstance connect() {
        ClientConfig config = new ClientConfig();
        config.setClusterName(clusterName);
        config.getNetworkConfig().setAddresses(addresses());
        config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(30_000);
        return HazelcastClient.newHazelcastClient(config);
    }

    List<String> addresses() {
        return addresses.stream().map(String::trim).filter(a -> !a.isEmpty()).toList();
    }

    @Override
    public String toString() {
        return clusterName + " at " + String.join(",", addresses());
    }
}
