package org.example.tools;

import org.example.tools.netns.LabCluster;
import org.example.tools.netns.LabNetwork;
import org.example.tools.netns.LabOptions;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * How the drills start their {@link LabRun}, mixed into {@link PartitionDrill} and
 * {@link FaultSoak} with {@code @Mixin}: the lab's identity ({@link LabOptions}), what the run
 * streams and scores, and how its members and broker start. scripts/lib/lab.sh passes
 * --process-marker and --member-jvm-opts, those of scripts/lib/common.sh, so the drill's members
 * start as the cluster's do and are stopped by the same marker.
 */
final class LabRunOptions {

    @Mixin
    LabOptions lab;

    @Option(names = "--data-dir", defaultValue = "python/data/partition", description = "Data set to stream")
    String dataDir;

    @Option(names = "--expected-features", defaultValue = "",
            description = "CSV of python/expected_features.py for the data set (default: <data-dir>/expected-features.csv)")
    String expectedFeatures;

    @Option(names = "--rate", defaultValue = "1500", converter = Commands.NonNegativeNumber.class,
            description = "Transactions per second, at least 1")
    double rate;

    @Option(names = "--hostile-every-seconds", defaultValue = "5", converter = Commands.NonNegativeLong.class,
            description = "A hostile message (or pair) this often; 0: none")
    long hostileEverySeconds;

    @Option(names = "--scorer", defaultValue = "java", converter = Scorer.class,
            description = "PREDICT in the JVM (java) or in Python (python)")
    String scorer;

    @Option(names = "--python-parallelism", defaultValue = "2", converter = Commands.PositiveInt.class,
            description = "Python processes per member, with --scorer python")
    int pythonParallelism;

    @Option(names = "--run-dir", defaultValue = ".run/partition", description = "Where logs, configuration and data of the run go")
    String runDir;

    @Option(names = "--python-venv", defaultValue = "${env:PYTHON_VENV:-python/.venv}", converter = NotEmpty.class,
            description = "Interpreter the members score with (env PYTHON_VENV)")
    String pythonVenv;

    @Option(names = "--member-jvm-opts", defaultValue = "${env:MEMBER_JVM_OPTS:-}",
            description = "JVM options of a member, space-separated; scripts/lib/lab.sh passes those of "
                    + "scripts/lib/common.sh (env MEMBER_JVM_OPTS)")
    String memberJvmOpts;

    @Option(names = "--process-marker", defaultValue = "${env:PROCESS_MARKER:-}",
            description = "The marker of processes started from this checkout, required; scripts/lib/lab.sh "
                    + "passes it (env PROCESS_MARKER)")
    String processMarker;

    @Option(names = "--member-heap", defaultValue = "${env:MEMBER_HEAP:-1g}", converter = NotEmpty.class,
            description = "-Xmx of each member (env MEMBER_HEAP)")
    String memberHeap;

    @Option(names = "--kafka-heap", defaultValue = "${env:KAFKA_HEAP:-512m}", converter = NotEmpty.class,
            description = "Heap of the broker (env KAFKA_HEAP)")
    String kafkaHeap;

    /** The lab's network; a name or address it refuses is a usage error. */
    LabNetwork network(CommandSpec spec) {
        return lab.network(spec);
    }

    /** What the run streams and scores, under {@code root}; every check made before any work. */
    LabRun.Options options(CommandSpec spec, Path root) {
        Commands.atLeast(spec, "--rate", rate, 1);
        Path data = root.resolve(dataDir);
        return new LabRun.Options(root, data,
                expectedFeatures.isBlank() ? data.resolve("expected-features.csv") : root.resolve(expectedFeatures),
                rate, Duration.ofSeconds(hostileEverySeconds), scorer, pythonParallelism);
    }

    /** Where the run's logs, configuration and data go, under {@code root}. */
    Path runDir(Path root) {
        return root.resolve(runDir);
    }

    /** How the lab's members and broker start, with their files under {@code runDir}. */
    LabCluster.Settings clusterSettings(CommandSpec spec, Path root, Path runDir) {
        if (processMarker.isBlank()) {
            // Without it, the processes of this run could not be told from those of other checkouts, nor stopped.
            throw Commands.usageError(spec, "--process-marker (PROCESS_MARKER) is required: scripts/partition-test.sh sets it");
        }
        return new LabCluster.Settings(root, runDir, root.resolve(pythonVenv),
                Arrays.stream(memberJvmOpts.split("\\s+")).filter(s -> !s.isBlank()).toList(),
                processMarker, memberHeap, kafkaHeap);
    }

    /** java or python, in any case; read as lower case. */
    static final class Scorer implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String scorer = value.strip().toLowerCase(Locale.ROOT);
            if (!scorer.equals("java") && !scorer.equals("python")) {
                throw new TypeConversionException("must be java or python, not '" + value + "'");
            }
            return scorer;
        }
    }

    /**
     * A value that must not be empty, also when it comes from its environment variable: a path or
     * heap size set to nothing would fail only when a member starts, minutes into the run.
     */
    static final class NotEmpty implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (value.isBlank()) {
                throw new TypeConversionException("must not be empty");
            }
            return value.strip();
        }
    }
}
