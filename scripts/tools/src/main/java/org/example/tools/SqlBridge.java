package org.example.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.jet.Job;
import com.hazelcast.jet.core.JobStatus;
import com.hazelcast.sql.SqlColumnMetadata;
import com.hazelcast.sql.SqlResult;
import com.hazelcast.sql.SqlRow;
import com.hazelcast.sql.SqlRowMetadata;
import com.hazelcast.sql.SqlStatement;
import org.example.JobSupervisor;
import org.example.definition.Names;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The live fraud page's way into the cluster (python/dashboard): SQL statements and job-status
 * requests arrive on stdin, one JSON object a line, and each answer leaves on stdout as one JSON
 * line with the request's id. The page starts this program as its child process and talks to it
 * through the pipes, so no port is opened and it ends when the page does (stdin closes).
 *
 * <p>It exists because the page needs the cluster's SQL and Jet's job status from Python, and the
 * Python client is not available where this project is built; the Java client of the cluster's
 * own Hazelcast version is. It is deliberately thin: it runs what it is sent and knows no query of
 * the page's, so the page's queries and their arithmetic stay in one place, in Python.
 *
 * <pre>
 * → {"id": 1, "sql": "SELECT COUNT(*) AS n FROM predictionResult WHERE storedTimeMs &gt; ?", "params": [0]}
 * ← {"id": 1, "columns": ["n"], "rows": [[52213]], "millis": 8.1}
 * → {"id": 2, "job": "fraud-detection"}
 * ← {"id": 2, "job": {"name": "fraud-detection", "status": "RUNNING", "submittedMs": ..., "supervisor": {...}}}
 * ← {"id": 3, "error": "..."}            a request that failed; the bridge goes on
 * </pre>
 *
 * Its first line, {@code {"connected": true}}, says that the client has joined the cluster.
 *
 * <p>The page names maps by their constants in {@link Names}, {@code ${PREDICTION_RESULT_MAP}},
 * and the bridge puts in the names ({@link #withNames}), so a map's name is written once, in Java.
 *
 * Requests run concurrently (a page's refresh sends its queries at once); answers may come back
 * in any order.
 */
public final class SqlBridge {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern NAME_REFERENCE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)}");
    private static final Map<String, String> NAMES = Names.byConstant();

    /** What the bridge does with one request; the cluster in production, a fake in tests. */
    interface Backend {
        /** The rows of a statement, or its update count when it returns no rows. */
        ObjectNode sql(String sql, List<Object> params, int maxRows);

        /** The status of the newest job of this name, with its supervisor's last report. */
        ObjectNode job(String name);
    }

    private SqlBridge() {
    }

    public static void main(String[] args) {
        // stdout carries the answers alone: anything else a library prints goes to stderr.
        PrintStream answers = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        System.exit(Commands.execute(new Program(answers), args, System.err, System.err));
    }

    @Command(name = "SqlBridge", description = "Runs SQL and job-status requests from stdin (JSON lines) against a "
            + "cluster; answers on stdout.")
    static final class Program implements Callable<Integer> {

        @Option(names = "--max-rows", defaultValue = "20000", converter = Commands.PositiveInt.class,
                description = "Most rows one answer may carry; a query that returns more fails (ask with a LIMIT)")
        int maxRows;

        @Option(names = "--threads", defaultValue = "4", converter = Commands.PositiveInt.class,
                description = "Requests run at the same time")
        int threads;

        @Mixin
        ClusterClient cluster;

        private final PrintStream answers;

        Program(PrintStream answers) {
            this.answers = answers;
        }

        @Override
        public Integer call() throws IOException, InterruptedException {
            HazelcastInstance client = cluster.connect();
            try {
                System.err.println("SqlBridge connected to " + cluster);
                // The page waits for this line before it asks anything.
                answers.println("{\"connected\": true}");
                serve(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
                        new OutputStreamWriter(answers, StandardCharsets.UTF_8), new Cluster(client), maxRows, threads);
            } finally {
                client.shutdown();
            }
            return 0;
        }
    }

    /** Answers every request line until {@code in} ends, then waits for the requests still running. */
    static void serve(BufferedReader in, Writer out, Backend backend, int maxRows, int threads)
            throws IOException, InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                String request = line;
                pool.execute(() -> write(out, answer(request, backend, maxRows)));
            }
        } finally {
            pool.shutdown();
            pool.awaitTermination(1, TimeUnit.MINUTES);
        }
    }

    /** The answer to one request line; never throws, so one bad request cannot end the bridge. */
    static ObjectNode answer(String line, Backend backend, int maxRows) {
        JsonNode id = NODES.nullNode();
        try {
            JsonNode request = JSON.readTree(line);
            if (!request.isObject()) {
                throw new IllegalArgumentException("a request is a JSON object");
            }
            id = request.path("id");
            ObjectNode answer;
            if (request.hasNonNull("sql")) {
                answer = backend.sql(withNames(request.get("sql").asText()), params(request.path("params")), maxRows);
            } else if (request.hasNonNull("job")) {
                answer = NODES.objectNode().set("job", backend.job(request.get("job").asText()));
            } else {
                throw new IllegalArgumentException("a request has \"sql\" or \"job\"");
            }
            return NODES.objectNode().<ObjectNode>set("id", id).setAll(answer);
        } catch (Exception e) {
            String message = e.getMessage() != null ? e.getMessage() : e.toString();
            return NODES.objectNode().<ObjectNode>set("id", id).put("error", message);
        }
    }

    /**
     * {@code sql} with each {@code ${CONSTANT}} replaced by that {@code String} constant of
     * {@link Names}; throws, naming it, for a constant Names does not have.
     */
    static String withNames(String sql) {
        return NAME_REFERENCE.matcher(sql).replaceAll(reference -> {
            String name = NAMES.get(reference.group(1));
            if (name == null) {
                throw new IllegalArgumentException("Names has no constant " + reference.group(1) + " (in: " + sql + ")");
            }
            return Matcher.quoteReplacement(name);
        });
    }

    private static List<Object> params(JsonNode params) {
        if (params.isMissingNode() || params.isNull()) {
            return List.of();
        }
        if (!params.isArray()) {
            throw new IllegalArgumentException("\"params\" is a JSON array");
        }
        // Whole numbers become BIGINT and others DOUBLE, as the mappings' columns are typed.
        List<Object> values = JSON.convertValue(params,
                JSON.getTypeFactory().constructCollectionType(List.class, Object.class));
        return values.stream().map(p -> p instanceof Integer i ? (Object) i.longValue() : p).toList();
    }

    private static void write(Writer out, ObjectNode answer) {
        String text;
        try {
            text = JSON.writeValueAsString(answer);
        } catch (IOException e) {
            text = "{\"id\":" + answer.path("id") + ",\"error\":\"answer not serialisable\"}";
        }
        synchronized (out) {
            try {
                out.write(text);
                out.write('\n');
                out.flush();
            } catch (IOException e) {
                // The page is gone; the requests still queued have no one to answer.
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The real backend: the cluster's SQL engine and Jet. */
    static final class Cluster implements Backend {
        private final HazelcastInstance client;

        Cluster(HazelcastInstance client) {
            this.client = client;
        }

        @Override
        public ObjectNode sql(String sql, List<Object> params, int maxRows) {
            long started = System.nanoTime();
            SqlStatement statement = new SqlStatement(sql).setParameters(params);
            try (SqlResult result = client.getSql().execute(statement)) {
                ObjectNode answer = NODES.objectNode();
                if (!result.isRowSet()) {
                    return answer.put("updateCount", result.updateCount())
                            .put("millis", (System.nanoTime() - started) / 1e6);
                }
                SqlRowMetadata metadata = result.getRowMetadata();
                ArrayNode columns = answer.putArray("columns");
                metadata.getColumns().stream().map(SqlColumnMetadata::getName).forEach(columns::add);
                ArrayNode rows = answer.putArray("rows");
                for (SqlRow row : result) {
                    if (rows.size() == maxRows) {
                        throw new IllegalStateException("more than " + maxRows + " rows: " + sql);
                    }
                    ArrayNode values = rows.addArray();
                    for (int i = 0; i < metadata.getColumnCount(); i++) {
                        values.add(value(row.getObject(i)));
                    }
                }
                return answer.put("millis", (System.nanoTime() - started) / 1e6);
            }
        }

        @Override
        public ObjectNode job(String name) {
            ObjectNode answer = NODES.objectNode().put("name", name);
            Job job = client.getJet().getJob(name);
            if (job == null) {
                answer.put("status", "NOT_FOUND");
            } else {
                JobStatus status = job.getStatus();
                answer.put("status", status.name()).put("submittedMs", job.getSubmissionTime());
                if (status == JobStatus.SUSPENDED) {
                    answer.put("suspensionCause", job.getSuspensionCause().description());
                }
            }
            Object report = client.getMap(Names.SUPERVISOR_MAP).get(name);
            if (report instanceof JobSupervisor.Report r) {
                answer.putObject("supervisor").put("state", r.state()).put("failures", r.failures())
                        .put("cause", r.cause()).put("updatedMs", r.updatedMs());
            } else {
                answer.putNull("supervisor");
            }
            return answer;
        }

        private static JsonNode value(Object value) {
            if (value == null) {
                return NODES.nullNode();
            }
            if (value instanceof BigDecimal d) {
                return NODES.numberNode(d);
            }
            if (value instanceof Number || value instanceof Boolean || value instanceof String) {
                return JSON.valueToTree(value);
            }
            // Dates and anything else: as SQL would print it.
            return NODES.textNode(value.toString());
        }
    }
}
