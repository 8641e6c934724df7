package org.example;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;

import java.util.List;

/**
 * Entry point of the job JAR: {@code hz-cli submit fraud-detection-job.jar [options]}.
 * Options are listed by {@code --help} and in the README; each can also be set through its
 * environment variable.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        if (List.of(args).contains("--help")) {
            System.out.print(JobSettings.usage());
            return;
        }
        JobSettings settings = JobSettings.from(args, System.getenv());
        HazelcastInstance hz = Hazelcast.bootstrappedInstance();
        Job job = FraudJob.deploy(hz, settings);
        System.out.printf("Job '%s' (%s) is %s; predictions go to map '%s', dead letters to '%s'.%n",
                settings.jobName(), job.getIdString(), job.getStatus(),
                Names.PREDICTION_RESULT_MAP, Names.DEAD_LETTERS_MAP);
    }
}
