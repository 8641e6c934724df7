package org.example;

import org.example.definition.Names;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's configuration table and stage names are the code's, so they cannot drift apart. */
class ReadmeTest {

    private static final Path README = Path.of("../README.md");

    @Test
    void shouldListEveryOptionWithTheFlagVariableAndDefaultTheCodeUses() throws Exception {
        String readme = Files.readString(README);
        for (JobSettings.Option option : JobSettings.Option.values()) {
            String defaultCell = option.defaultValue().isEmpty() ? " |" : " `" + option.defaultValue() + "` |";
            assertThat(readme).as("README row of %s", option)
                    .contains("| `--" + option.flagName() + "` | `" + option.envVar() + "` |" + defaultCell
                            + " " + option.description() + " |");
        }
    }

    @Test
    void shouldNameEveryStageAsTheCodeDoes() throws Exception {
        assertThat(Files.readString(README)).contains(
                "| " + Names.Stage.INGEST + " |", "| " + Names.Stage.FEATURES + " |", "| " + Names.Stage.ENRICH + " |",
                "| " + Names.Stage.TRANSFORM + " |", "| " + Names.Stage.PREDICT + " |", "| " + Names.Stage.ACT + " |",
                Names.PREDICTION_RESULT_MAP, Names.DEAD_LETTERS_MAP, Names.CUSTOMERS_MAP, Names.MERCHANTS_MAP);
    }
}
