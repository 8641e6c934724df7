package org.example;

import org.example.definition.Names;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;


/**
 * Entry point of the job JAR: {@code hz-cli submit fraud-detection-job.jar [options]}.
 * Options are listed by {@code --help} (or {@code -h}; either prints them and submits nothing) and in the README; each can also be set through its
 * environment variable.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        JobCommandLine commandLine = JobCommandLine.parse(args, System.getenv());
        if (commandLine.helpRequested()) {
            System.out.print(commandLine.usage());
            return;
        }
        JobSettings settings = commandLine.settings();
        HazelcastInstance hz = Hazelcast.bootstrappedInstance();
        Job job = FraudJob.deploy(hz, settings);
        System.out.printf("Job '%s' (%s) is %s; predictions go to map '%s', dead letters to '%s'.%n",
                settings.jobName(), job.getIdString(), job.getStatus(),
                Names.PREDICTION_RESULT_MAP, Names.DEAD_LETTERS_MAP);
    }
}
