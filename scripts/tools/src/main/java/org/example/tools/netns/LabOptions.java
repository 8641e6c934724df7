package org.example.tools.netns;

import org.example.tools.Commands;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The lab's identity on a command line, mixed in with {@code @Mixin}: {@link Lab} builds the lab
 * with it and the drills run inside it with it, so both sides agree on names and addresses.
 * scripts/lib/lab.sh exports LAB_PREFIX and LAB_SUBNET for both.
 */
public final class LabOptions {

    @Option(names = "--lab-prefix", defaultValue = "${env:LAB_PREFIX:-fd-}",
            description = "Prefix of the lab's network namespaces (env LAB_PREFIX)")
    String prefix;

    @Option(names = "--lab-subnet", defaultValue = "${env:LAB_SUBNET:-10.250.0}",
            description = "First three octets of the lab's addresses (env LAB_SUBNET)")
    String subnet;

    @Option(names = "--lab-members", defaultValue = "${env:LAB_MEMBERS:-3}", converter = Commands.PositiveInt.class,
            description = "Hazelcast member hosts (env LAB_MEMBERS)")
    int members;

    /** The lab these options name; a prefix, subnet or size {@link LabNetwork} refuses is a usage error. */
    public LabNetwork network(CommandSpec spec) {
        return Commands.beforeWork(spec, () -> LabNetwork.of(prefix, subnet, members));
    }

    public String prefix() {
        return prefix;
    }
}
