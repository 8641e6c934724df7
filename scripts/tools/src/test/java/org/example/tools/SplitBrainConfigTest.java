package org.example.tools;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.config.YamlConfigBuilder;
import com.hazelcast.spi.merge.DiscardMergePolicy;
import com.hazelcast.spi.merge.LatestUpdateMergePolicy;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionOn;
import org.example.definition.Names;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What scripts/hazelcast.yaml decides for a network split (docs/DESIGN.md, "Network partitions"),
 * and how the in-JVM members size it.
 */
class SplitBrainConfigTest {

    private static final Config MEMBERS = load();

    @Test
    void shouldProtectEveryMapTheJobUsesFromWritesOnAMinoritySide() {
        for (String map : mapsOfTheJob()) {
            MapConfig config = MEMBERS.getMapConfig(map);
            assertThat(config.getSplitBrainProtectionName()).as(map).isEqualTo("majority");
        }
        SplitBrainProtectionConfig majority = MEMBERS.getSplitBrainProtectionConfig("majority");
        assertThat(majority.isEnabled()).isTrue();
        assertThat(majority.getMinimumClusterSize()).isEqualTo(2);
        assertThat(majority.getProtectOn()).isEqualTo(SplitBrainProtectionOn.WRITE);
    }

    @Test
    void shouldDropTheMinoritysCopyOfWhatTheJobRecomputesAndKeepTheNewerReferenceData() {
        for (String map : List.of(Names.PREDICTION_RESULT_MAP, Names.DEAD_LETTERS_MAP, Names.SUPERVISOR_MAP)) {
            assertThat(MEMBERS.getMapConfig(map).getMergePolicyConfig().getPolicy()).as(map)
                    .isEqualTo(DiscardMergePolicy.class.getSimpleName());
        }
        for (String map : List.of(Names.CUSTOMERS_MAP, Names.MERCHANTS_MAP, Names.SCORING_POLICY_MAP, Names.POLICY_AUDIT_MAP)) {
            MapConfig config = MEMBERS.getMapConfig(map);
            assertThat(config.getMergePolicyConfig().getPolicy()).as(map).isEqualTo(LatestUpdateMergePolicy.class.getSimpleName());
            // Without it every entry's update time is unknown and "latest" picks the merging side's.
            assertThat(config.isPerEntryStatsEnabled()).as(map).isTrue();
        }
    }

    @Test
    void shouldSeeASilentMemberAsGoneAfterFifteenSecondsAndLookForTheOtherSideEveryTen() {
        assertThat(MEMBERS.getProperty("hazelcast.heartbeat.interval.seconds")).isEqualTo("1");
        assertThat(MEMBERS.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("15");
        assertThat(MEMBERS.getProperty("hazelcast.merge.next.run.delay.seconds")).isEqualTo("10");
    }

    @Test
    void shouldAskInJvmClustersForAMajorityOfTheirOwnSizeAndASingleMemberForNone() {
        assertThat(protection(1).isEnabled()).isFalse();
        assertThat(protection(2).getMinimumClusterSize()).isEqualTo(2);
        assertThat(protection(3).getMinimumClusterSize()).isEqualTo(2);
        assertThat(protection(5).getMinimumClusterSize()).isEqualTo(3);
    }

    private static SplitBrainProtectionConfig protection(int members) {
        return EmbeddedCluster.config(RepositoryFiles.path("scripts/hazelcast.yaml"), "test", members, 5901)
                .getSplitBrainProtectionConfig("majority");
    }

    /** Every map name in Names: a map added there without a split-brain setting fails the first test. */
    private static List<String> mapsOfTheJob() {
        return Names.byConstant().entrySet().stream()
                .filter(name -> name.getKey().endsWith("_MAP"))
                .map(Map.Entry::getValue)
                .toList();
    }

    private static Config load() {
        try {
            return new YamlConfigBuilder(RepositoryFiles.path("scripts/hazelcast.yaml").toString()).build();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
