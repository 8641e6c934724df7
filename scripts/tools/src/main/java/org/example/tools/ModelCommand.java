package org.example.tools;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.sql.SqlResult;
import com.hazelcast.sql.SqlRow;
import org.example.definition.Names;
import org.example.registry.ModelEntry;
import org.example.registry.ModelPointer;
import org.example.registry.ModelRegistry;
import org.example.registry.ModelStatus;
import org.example.scoring.ScoringModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Puts models into service while the job runs (scripts/deploy-model.sh): publishes a model into
 * the cluster's registry once both scorers accept it, points the running job at it as champion or
 * challenger, promotes or rolls back, and waits until every member scores with it, measuring what
 * the change did to scoring. No job is cancelled or submitted, no topic offset rewound.
 */
@Command(name = "models", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Puts models into service in the running fraud-detection job, and reports on them.",
        subcommands = {ModelCommand.Rollout.class, ModelCommand.Challenger.class, ModelCommand.Promote.class,
                ModelCommand.RollBack.class, ModelCommand.Status.class, ModelCommand.Report.class,
                ModelCommand.Measure.class})
public final class ModelCommand {

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** 0 done, 1 refused or failed, 2 bad usage. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new ModelCommand()).setOut(out).setErr(err);
        commandLine.setExecutionExceptionHandler((e, line, parsed) -> {
            err.println("models " + line.getCommandName() + " failed: " + (e.getMessage() != null ? e.getMessage() : e));
            return 1;
        });
        return commandLine.execute(args);
    }

    /** Where the cluster is ({@link ClusterClient}) and which job's models are meant; every subcommand takes these. */
    static final class Connection {
        @Mixin
        ClusterClient cluster;

        @Option(names = "--job-name", defaultValue = "${env:JOB_NAME:-" + Names.DEFAULT_JOB_NAME + "}",
                description = "The job whose models these are (JOB_NAME; default ${DEFAULT-VALUE})")
        String jobName;

        @Option(names = "--by", defaultValue = "${env:USER:-operator}",
                description = "Who makes the change, for the pointer's record (default: USER)")
        String by;

        @Option(names = "--timeout-seconds", defaultValue = "600",
                description = "How long to wait for every member to score with the model (default ${DEFAULT-VALUE})")
        long timeoutSeconds;

        HazelcastInstance connect() {
            return cluster.connect();
        }
    }

    /** A model directory, checked by both scorers before anything is published. */
    static final class ModelDir {
        @Option(names = "--model-dir",
                description = "Directory with fraud_model.txt and fraud_model.json (python/train.py --out)")
        Path dir;

        @Option(names = "--python", defaultValue = "${env:PYTHON:-python3}",
                description = "Interpreter with the handler's packages, for the Python scorer's check (PYTHON; default ${DEFAULT-VALUE})")
        String python;

        /** The checked entry, published; refused with the check that said no. */
        ModelEntry publishChecked(ModelRegistry registry, Connection connection, PrintWriter out) throws Exception {
            if (dir == null) {
                throw new IllegalArgumentException("--model-dir is needed: the directory python/train.py --out wrote");
            }
            ModelEntry entry;
            try {
                entry = ModelFiles.checked(dir, python, System.currentTimeMillis(), connection.by);
            } catch (ModelFiles.Refused refused) {
                throw new IllegalArgumentException("model of " + dir + " refused, nothing changed: " + refused.getMessage());
            }
            out.printf("  %s: both scorers accept it (metadata, parse, columns, smoke score)%n", entry.version());
            registry.publish(entry);
            out.printf("  published in map '%s' (sha256 %s)%n", Names.MODELS_MAP, entry.sha256().substring(0, 16));
            return entry;
        }
    }

    /** A change of the pointer, then the wait for every member to serve it, with its figures. */
    abstract static class Change implements Callable<Integer> {
        @Mixin
        Connection connection;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Connection c = connection;
            HazelcastInstance client = c.connect();
            try {
                ModelRegistry registry = new ModelRegistry(client);
                ModelPointer before = registry.pointer(c.jobName).orElseThrow(() -> new IllegalStateException(
                        "job '" + c.jobName + "' has no models yet: submit it first (hz-cli submit), it starts with the JAR's model"));
                out.printf("== %s, job '%s' (champion %s%s)%n", spec.name(), c.jobName, before.champion(),
                        before.challenger() != null ? ", challenger " + before.challenger() : "");
                String prepared = prepare(registry, c, out);
                long startMs = System.currentTimeMillis();
                ModelPointer after = change(registry, c, prepared, startMs);
                String version = role() == ModelStatus.State.CHALLENGER ? after.challenger() : after.champion();
                RolloutWatch rollout = new RolloutWatch(client, out);
                int status = rollout.await(c.jobName, version, role(), startMs, Duration.ofSeconds(c.timeoutSeconds));
                if (status == 0 && role() == ModelStatus.State.CHAMPION) {
                    rollout.print(rollout.measure(version, startMs, System.currentTimeMillis()), startMs);
                    out.printf("== %s scores every new transaction of job '%s'%n", version, c.jobName);
                } else if (status == 0) {
                    out.printf("== %s scores beside champion %s, deciding nothing%n", version, after.champion());
                }
                return status;
            } finally {
                client.shutdown();
            }
        }

        /** What comes before the change: checking and publishing a model; returns its version, if any. */
        String prepare(ModelRegistry registry, Connection c, PrintWriter out) throws Exception {
            return null;
        }

        /** The change of the pointer, at {@code nowMs}: from here on the wait and the figures count. */
        abstract ModelPointer change(ModelRegistry registry, Connection c, String prepared, long nowMs);

        ModelStatus.State role() {
            return ModelStatus.State.CHAMPION;
        }
    }

    @Command(name = "rollout", mixinStandardHelpOptions = true,
            description = "Publish a model and make it the champion: it scores every new transaction within seconds.")
    static final class Rollout extends Change {
        @Mixin
        ModelDir model;

        @Override
        String prepare(ModelRegistry registry, Connection c, PrintWriter out) throws Exception {
            return model.publishChecked(registry, c, out).version();
        }

        @Override
        ModelPointer change(ModelRegistry registry, Connection c, String version, long nowMs) {
            return registry.setChampion(c.jobName, version, nowMs, c.by);
        }
    }

    @Command(name = "challenger", mixinStandardHelpOptions = true,
            description = "Publish a model and score it beside the champion, deciding nothing; or --stop.")
    static final class Challenger extends Change {
        @Mixin
        ModelDir model;

        @Option(names = "--stop", description = "No challenger any more (no --model-dir then)")
        boolean stop;

        @Override
        String prepare(ModelRegistry registry, Connection c, PrintWriter out) throws Exception {
            if (stop == (model.dir != null)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give either --model-dir or --stop");
            }
            return stop ? null : model.publishChecked(registry, c, out).version();
        }

        @Override
        ModelPointer change(ModelRegistry registry, Connection c, String version, long nowMs) {
            // With --stop the champion scores alone again: what is waited for is every member serving it anew.
            return registry.setChallenger(c.jobName, version, nowMs, c.by);
        }

        @Override
        ModelStatus.State role() {
            return stop ? ModelStatus.State.CHAMPION : ModelStatus.State.CHALLENGER;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = "The challenger becomes the champion; the champion it replaces is kept for a roll-back.")
    static final class Promote extends Change {
        @Override
        ModelPointer change(ModelRegistry registry, Connection c, String prepared, long nowMs) {
            return registry.promote(c.jobName, nowMs, c.by);
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Back to the champion before this one.")
    static final class RollBack extends Change {
        @Override
        ModelPointer change(ModelRegistry registry, Connection c, String prepared, long nowMs) {
            return registry.rollBack(c.jobName, nowMs, c.by);
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Which models the job scores with, and what each member made of them.")
    static final class Status implements Callable<Integer> {
        @Mixin
        Connection connection;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Connection c = connection;
            HazelcastInstance client = c.connect();
            try {
                ModelRegistry registry = new ModelRegistry(client);
                ModelPointer pointer = registry.pointer(c.jobName).orElse(null);
                if (pointer == null) {
                    spec.commandLine().getOut().printf("job '%s' has no models yet%n", c.jobName);
                    return 1;
                }
                spec.commandLine().getOut().printf("job '%s': champion %s, challenger %s, previous champion %s (revision %d, by %s)%n",
                        c.jobName, pointer.champion(), pointer.challenger(), pointer.previousChampion(),
                        pointer.revision(), pointer.changedBy());
                registry.statuses(c.jobName).stream()
                        .sorted(Comparator.comparing(ModelStatus::member).thenComparing(ModelStatus::atMs))
                        .forEach(s -> spec.commandLine().getOut().printf("  %-22s %-6s %-28s %-10s %s%n", s.member(), s.scorer(),
                                s.version(), s.state(), s.detail()));
                return 0;
            } finally {
                client.shutdown();
            }
        }
    }

    @Command(name = "report", mixinStandardHelpOptions = true,
            description = "Champion against challenger over a time range: agreement, flagged shares, score"
                    + " distributions, and precision and recall where labels are given.")
    static final class Report implements Callable<Integer> {
        @Mixin
        Connection connection;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--last", defaultValue = "PT1H",
                description = "The range ends now and lasts this long (ISO-8601 duration; default ${DEFAULT-VALUE})")
        Duration last;

        @Option(names = "--labels", description = "labels.csv (transaction_id,is_fraud,...) for precision and recall")
        Path labels;

        @Override
        public Integer call() throws Exception {
            Connection c = connection;
            Map<String, Boolean> truth = labels == null ? Map.of() : RunReport.readLabels(labels);
            long toMs = System.currentTimeMillis();
            long fromMs = toMs - last.toMillis();
            HazelcastInstance client = c.connect();
            try {
                ModelRegistry registry = new ModelRegistry(client);
                List<ChallengerReport.Row> rows = new java.util.ArrayList<>();
                try (SqlResult result = client.getSql().execute("SELECT \"transactionId\", \"modelVersion\", "
                        + "\"fraudProbability\", \"fraud\", \"challengerVersion\", \"challengerProbability\" FROM \""
                        + Names.PREDICTION_RESULT_MAP + "\" WHERE \"challengerVersion\" IS NOT NULL AND \"storedTimeMs\""
                        + " BETWEEN ? AND ?", fromMs, toMs)) {
                    for (SqlRow row : result) {
                        rows.add(new ChallengerReport.Row(row.getObject(0), row.getObject(1), row.getObject(2),
                                row.getObject(3), row.getObject(4), row.getObject(5)));
                    }
                }
                spec.commandLine().getOut().print(ChallengerReport.of(rows, version -> threshold(registry, version), truth)
                        .text(Duration.ofMillis(toMs - fromMs)));
                return 0;
            } finally {
                client.shutdown();
            }
        }

        private static double threshold(ModelRegistry registry, String version) {
            ModelEntry entry = registry.model(version).orElseThrow(() -> new IllegalStateException(
                    "challenger " + version + " is not in map '" + Names.MODELS_MAP + "'"));
            return ScoringModel.parse(entry.modelText(), entry.metadataJson()).threshold();
        }
    }

    @Command(name = "measure", mixinStandardHelpOptions = true,
            description = "The figures of a change of models made some other way (a replaced job, say), from what was stored.")
    static final class Measure implements Callable<Integer> {
        @Mixin
        Connection connection;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--version", required = true, description = "The model the change put into service")
        String version;

        @Option(names = "--from-ms", required = true, description = "When the change began (epoch ms)")
        long fromMs;

        @Option(names = "--to-ms", required = true, description = "When it was over (epoch ms)")
        long toMs;

        @Override
        public Integer call() {
            HazelcastInstance client = connection.connect();
            try {
                RolloutWatch rollout = new RolloutWatch(client, spec.commandLine().getOut());
                rollout.print(rollout.measure(version, fromMs, toMs), fromMs);
                return 0;
            } finally {
                client.shutdown();
            }
        }
    }
}
