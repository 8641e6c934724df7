package org.example;

import com.hazelcast.jet.config.JobConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The job's configuration as FraudJob submits it. */
class FraudJobConfigTest {

    @Test
    void shouldRunOnlyOnTheSideOfASplitThatHoldsAMajorityOfTheMembers() {
        JobConfig config = FraudJob.jobConfig(JobSettings.defaults());

        assertThat(config.isSplitBrainProtectionEnabled()).isTrue();
    }

    @Test
    void shouldSuspendOnAFailureSoThatItsSnapshotStays() {
        assertThat(FraudJob.jobConfig(JobSettings.defaults()).isSuspendOnFailure()).isTrue();
    }
}
