package org.example.tools;

import com.hazelcast.config.Config;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;
import org.example.definition.Names;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Waiting for outcomes on a cluster that is still forming after a full restart. */
class OutcomesTest {

    @Test
    void shouldWaitThroughAClusterShortOfItsMajorityInsteadOfFailing() throws Exception {
        // One member of a cluster whose maps need two, as right after every member was restarted.
        Config config = new Config().setClusterName("outcomes-test");
        config.getNetworkConfig().setPort(5851).setPortAutoIncrement(true);
        config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
        config.addSplitBrainProtectionConfig(new SplitBrainProtectionConfig("majority", true, 2));
        config.getMapConfig(Names.PREDICTION_RESULT_MAP).setSplitBrainProtectionName("majority");
        HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
        try {
            assertThatThrownBy(() -> Outcomes.firstStoredMs(member)).isInstanceOf(SplitBrainProtectionException.class);

            assertThat(Outcomes.awaitFirstStoredMs(member, Duration.ofSeconds(1))).as("no prediction yet, no failure").isEqualTo(-1);
            assertThat(Outcomes.whileForming(() -> Outcomes.firstStoredMs(member), -7)).isEqualTo(-7);
        } finally {
            member.shutdown();
        }
    }
}
