package org.example.tools;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the job submitted on a cluster that may be restarted whole with nobody watching (the
 * {@code submit-job} service of docker-compose.yml). It waits for the cluster, then submits the job
 * with {@code hz-cli submit}, as a user does, whenever the cluster has no job of that name at all:
 * at the first start, and after every member was stopped and started again (the open-source
 * edition keeps no job across that). A job the cluster knows of, in any state, running, suspended
 * or cancelled by a user, is left alone: its supervisor or its user decides about it.
 *
 * <p>The job then reads the topic from its start and the reference data through from the
 * database, so nothing needs to be reloaded by hand (docs/DESIGN.md). Writes {@code --ready-file}
 * once the job runs or was submitted, for a health check.
 */
public final class JobKeeper {

    public static void main(String[] args) {
        System.exit(Commands.execute(new Program(System.out), args, System.out, System.err));
    }

    @Command(name = "JobKeeper", description = "Submits the job with hz-cli whenever the cluster has no job of its name.")
    static final class Program implements Callable<Integer> {

        @Option(names = "--job-name", defaultValue = "${env:JOB_NAME:-fraud-detection}",
                description = "Name of the job to keep submitted (env JOB_NAME)")
        String jobName;

        @Option(names = "--members", defaultValue = "1", converter = Commands.PositiveInt.class,
                description = "Members the cluster must have before a submit")
        int members;

        @Option(names = "--hz-cli", defaultValue = "/opt/hazelcast/bin/hz-cli", description = "The hz-cli to submit with")
        String hzCli;

        @Option(names = "--job-jar", defaultValue = "/opt/fraud/job/fraud-detection-job.jar", description = "Job JAR to submit")
        String jobJar;

        @Option(names = "--job-args", defaultValue = "", description = "The job's options, space-separated")
        String jobArgs;

        @Option(names = "--check-seconds", defaultValue = "5", converter = Commands.PositiveInt.class,
                description = "Seconds between looks at the cluster")
        int checkSeconds;

        @Option(names = "--ready-file", defaultValue = "/tmp/job-submitted",
                description = "Written once the job runs or was submitted (a health check reads it)")
        Path readyFile;

        @Mixin
        ClusterClient cluster;

        private final PrintStream out;

        Program(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() throws InterruptedException {
            return new JobKeeper(this, out).run();
        }
    }

    private final Program options;
    private final PrintStream out;

    private JobKeeper(Program options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Runs until stopped; a look that fails (the cluster going away) is logged and tried again. */
    private int run() throws InterruptedException {
        HazelcastInstance client = HazelcastClient.newHazelcastClient(clientConfig());
        long checkMs = TimeUnit.SECONDS.toMillis(options.checkSeconds);
        String jobName = options.jobName;
        int members = options.members;
        while (true) {
            try {
                int size = client.getCluster().getMembers().size();
                Job job = client.getJet().getJob(jobName);
                if (job != null) {
                    ready("job '" + jobName + "' is " + job.getStatus());
                } else if (size >= members) {
                    log("the cluster (" + size + " members) has no job '" + jobName + "': submitting it");
                    if (submit() == 0) {
                        ready("submitted job '" + jobName + "'");
                    }
                }
            } catch (RuntimeException e) {
                log("cannot look at the cluster now (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                        + "); trying again");
            }
            Thread.sleep(checkMs);
        }
    }

    /** A client that waits for the cluster as long as it takes, and reconnects to a restarted one. */
    private ClientConfig clientConfig() {
        ClientConfig config = new ClientConfig();
        config.setClusterName(options.cluster.clusterName);
        config.getNetworkConfig().setAddresses(options.cluster.addresses());
        // -1: no time limit, the client waits for (and after a restart, reconnects to) the cluster.
        config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(-1)
                .setMaxBackoffMillis(5_000);
        return config;
    }

    /** {@code hz-cli -t <cluster>@<addresses> submit <jar> <job args>}, its output passed on. */
    private int submit() throws InterruptedException {
        List<String> command = new ArrayList<>(List.of(options.hzCli, "-t",
                options.cluster.clusterName + "@" + String.join(",", options.cluster.addresses()), "submit",
                options.jobJar));
        String jobArgs = options.jobArgs.trim();
        if (!jobArgs.isEmpty()) {
            command.addAll(Arrays.asList(jobArgs.split("\\s+")));
        }
        try {
            int code = new ProcessBuilder(command).inheritIO().start().waitFor();
            if (code != 0) {
                log("hz-cli submit exited with " + code + "; trying again");
            }
            return code;
        } catch (IOException e) {
            log("cannot run " + command.get(0) + ": " + e.getMessage());
            return -1;
        }
    }

    private void ready(String what) {
        Path file = options.readyFile;
        if (!Files.exists(file)) {
            log(what);
            try {
                Files.writeString(file, what + "\n");
            } catch (IOException e) {
                log("cannot write " + file + ": " + e.getMessage());
            }
        }
    }

    private void log(String message) {
        out.println(Instant.now() + " JobKeeper: " + message);
    }
}
