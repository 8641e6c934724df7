package org.example.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.example.definition.Names;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The bridge's protocol, with a backend that answers from a table instead of a cluster. */
class SqlBridgeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Answers "SELECT n" with one row holding n; records the parameters it was given. */
    private static final class Echo implements SqlBridge.Backend {
        final List<List<Object>> params = new ArrayList<>();

        @Override
        public synchronized ObjectNode sql(String sql, List<Object> params, int maxRows) {
            this.params.add(params);
            if (!sql.startsWith("SELECT ")) {
                throw new IllegalArgumentException("cannot parse: " + sql);
            }
            ObjectNode answer = JsonNodeFactory.instance.objectNode();
            answer.putArray("columns").add("n");
            answer.putArray("rows").addArray().add(Integer.parseInt(sql.substring(7)));
            return answer;
        }

        @Override
        public ObjectNode job(String name) {
            return JsonNodeFactory.instance.objectNode().put("name", name).put("status", "RUNNING");
        }
    }

    @Test
    void shouldAnswerEveryRequestWithItsOwnId() throws Exception {
        Map<Integer, JsonNode> answers = serve(new Echo(),
                "{\"id\": 1, \"sql\": \"SELECT 7\"}",
                "{\"id\": 2, \"job\": \"fraud-detection\"}",
                "{\"id\": 3, \"sql\": \"SELECT 9\", \"params\": [1, 2.5, \"x\"]}");

        assertThat(answers.get(1).at("/rows/0/0").asInt()).isEqualTo(7);
        assertThat(answers.get(2).at("/job/status").asText()).isEqualTo("RUNNING");
        assertThat(answers.get(3).at("/rows/0/0").asInt()).isEqualTo(9);
    }

    @Test
    void shouldPassWholeNumbersAsLongsForBigintColumns() throws Exception {
        Echo backend = new Echo();

        serve(backend, "{\"id\": 1, \"sql\": \"SELECT 1\", \"params\": [1796122910589, 3, 0.5, \"card\"]}");

        assertThat(backend.params.get(0)).containsExactly(1796122910589L, 3L, 0.5, "card");
    }

    @Test
    void shouldAnswerAFailedStatementWithItsReasonAndGoOn() throws Exception {
        Map<Integer, JsonNode> answers = serve(new Echo(),
                "{\"id\": 1, \"sql\": \"DROP everything\"}",
                "not json at all",
                "{\"id\": 3, \"neither\": true}",
                "{\"id\": 4, \"sql\": \"SELECT 4\"}");

        assertThat(answers.get(1).get("error").asText()).isEqualTo("cannot parse: DROP everything");
        assertThat(answers.get(3).get("error").asText()).contains("\"sql\" or \"job\"");
        assertThat(answers.get(4).at("/rows/0/0").asInt()).isEqualTo(4);
        assertThat(answers).hasSize(3);
    }

    @Test
    void shouldAnswerTheUnreadableLineWithoutAnId() {
        ObjectNode answer = SqlBridge.answer("{\"id\": ", new Echo(), 10);

        assertThat(answer.get("id").isNull()).isTrue();
        assertThat(answer.has("error")).isTrue();
    }

    @Test
    void shouldPutInTheMapNamesThatTheStatementsNameByTheirConstants() throws Exception {
        assertThat(SqlBridge.withNames("SELECT COUNT(*) FROM ${PREDICTION_RESULT_MAP} JOIN ${CUSTOMERS_MAP} ON x = '$1'"))
                .isEqualTo("SELECT COUNT(*) FROM " + Names.PREDICTION_RESULT_MAP + " JOIN " + Names.CUSTOMERS_MAP + " ON x = '$1'");
        Map<Integer, JsonNode> answers = serve(new Echo(), "{\"id\": 1, \"sql\": \"SELECT 1 FROM ${NO_SUCH_MAP}\"}");
        assertThat(answers.get(1).get("error").asText()).startsWith("Names has no constant NO_SUCH_MAP");
    }

    /** The page and its browser check name maps only by constants, and each is one Names has. */
    @Test
    void shouldKnowEveryNameThePagesStatementsUse() throws IOException {
        Pattern reference = Pattern.compile("named\\(\"([A-Z0-9_]+)\"\\)|\\$\\{([A-Z0-9_]+)}");
        Set<String> used = new TreeSet<>();
        for (String file : List.of("python/dashboard/figures.py", "python/checks/check_page.py")) {
            String text = Files.readString(RepositoryFiles.path(file));
            assertThat(text).as(file).doesNotContain(Names.PREDICTION_RESULT_MAP, Names.DEAD_LETTERS_MAP,
                    Names.MODEL_POINTER_MAP, Names.MODEL_STATUS_MAP);
            Matcher matcher = reference.matcher(text);
            while (matcher.find()) {
                used.add(matcher.group(1) != null ? matcher.group(1) : matcher.group(2));
            }
        }
        assertThat(used).contains("PREDICTION_RESULT_MAP", "DEAD_LETTERS_MAP", "CUSTOMERS_MAP", "MODEL_POINTER_MAP",
                "MODEL_STATUS_MAP");
        for (String constant : used) {
            assertThat(SqlBridge.withNames("${" + constant + "}")).as(constant).doesNotContain("${");
        }
    }

    private static Map<Integer, JsonNode> serve(SqlBridge.Backend backend, String... lines) throws Exception {
        StringWriter out = new StringWriter();
        SqlBridge.serve(new BufferedReader(new StringReader(String.join("\n", lines) + "\n")), out, backend, 100, 3);
        List<JsonNode> answers = new ArrayList<>();
        for (String line : out.toString().split("\n")) {
            answers.add(JSON.readTree(line));
        }
        assertThat(answers).hasSize(lines.length);
        return answers.stream().filter(a -> !a.get("id").isNull())
                .collect(Collectors.toMap(a -> a.get("id").asInt(), Function.identity()));
    }
}
