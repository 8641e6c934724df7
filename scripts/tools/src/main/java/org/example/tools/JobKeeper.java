package org.example.tools;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import org.example.CommandLineFlags;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

    static final String SYNOPSIS = "Submits the job with hz-cli whenever the cluster has no job of its name.\n"
            + "usage: JobKeeper [options]";

    static final List<CommandLineFlags.Flag> FLAGS = ClusterClient.withConnectionFlags(List.of(
            CommandLineFlags.Flag.option("job-name", "JOB_NAME", "fraud-detection", "Name of the job to keep submitted"),
            CommandLineFlags.Flag.option("members", null, "1", "Members the cluster must have before a submit"),
            CommandLineFlags.Flag.option("hz-cli", null, "/opt/hazelcast/bin/hz-cli", "The hz-cli to submit with"),
            CommandLineFlags.Flag.option("job-jar", null, "/opt/fraud/job/fraud-detection-job.jar", "Job JAR to submit"),
            CommandLineFlags.Flag.option("job-args", null, "", "The job's options, space-separated"),
            CommandLineFlags.Flag.option("check-seconds", null, "5", "Seconds between looks at the cluster"),
            CommandLineFlags.Flag.option("ready-file", null, "/tmp/job-submitted",
                    "Written once the job runs or was submitted (a health check reads it)")));

    private final CommandLineFlags flags;
    private final PrintStream out;

    private JobKeeper(CommandLineFlags flags, PrintStream out) {
        this.flags = flags;
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(Cli.run("JobKeeper", SYNOPSIS, FLAGS, args, System.getenv(), System.out, System.err, flags -> {
            flags.getInt("members", 1);
            flags.getInt("check-seconds", 1);
            return () -> new JobKeeper(flags, System.out).run();
        }));
    }

    /** Runs until stopped; a look that fails (the cluster going away) is logged and tried again. */
    private int run() throws InterruptedException {
        HazelcastInstance client = HazelcastClient.newHazelcastClient(clientConfig());
        long checkMs = TimeUnit.SECONDS.toMillis(flags.getInt("check-seconds", 1));
        String jobName = flags.get("job-name");
        int members = flags.getInt("members", 1);
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
        config.setClusterName(flags.get("cluster-name"));
        config.getNetworkConfig().setAddresses(Arrays.stream(flags.get("addresses").split(","))
                .map(String::trim).filter(a -> !a.isEmpty()).toList());
        // -1: no time limit, the client waits for (and after a restart, reconnects to) the cluster.
        config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(-1)
                .setMaxBackoffMillis(5_000);
        return config;
    }

    /** {@code hz-cli -t <cluster>@<addresses> submit <jar> <job args>}, its output passed on. */
    private int submit() throws InterruptedException {
        List<String> command = new ArrayList<>(List.of(flags.get("hz-cli"), "-t",
                flags.get("cluster-name") + "@" + flags.get("addresses"), "submit", flags.get("job-jar")));
        String jobArgs = flags.get("job-args").trim();
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
        Path file = Path.of(flags.get("ready-file"));
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
