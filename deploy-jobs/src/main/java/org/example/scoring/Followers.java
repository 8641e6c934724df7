package org.example.scoring;

import com.hazelcast.core.HazelcastInstance;
import org.example.policy.PolicyFollower;

/**
 * What a member follows for its scorers: the job's models and the scoring policies; one of each per
 * member (Jet's service context), whichever scorer runs.
 */
record Followers(ModelFollower models, PolicyFollower policies) {

    /** @param writeFiles whether the models are written to the member's disk, for Python processes to load */
    static Followers start(HazelcastInstance hz, String jobName, boolean writeFiles) {
        return new Followers(ModelFollower.start(hz, jobName, writeFiles), PolicyFollower.start(hz));
    }

    void close() {
        models.close();
        policies.close();
    }
}
