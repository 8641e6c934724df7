package org.example.tools;

import org.example.definition.Names;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PipelineDiagramTest {

    private static final Path COMMITTED = RepositoryFiles.ROOT.resolve(PipelineDiagram.DEFAULT_OUTPUT);

    @Test
    void shouldMatchThePictureInTheReadme() throws Exception {
        assertThat(Files.readString(COMMITTED))
                .as("images/pipeline.svg no longer shows the pipeline; regenerate it with scripts/draw-pipeline.sh")
                .isEqualTo(PipelineDiagram.svg());
    }

    @Test
    void shouldShowEveryStageAndBothSinks() {
        String svg = PipelineDiagram.svg();
        for (String name : List.of(Names.Stage.INGEST, Names.Stage.FEATURES, Names.Stage.ENRICH, Names.Stage.TRANSFORM,
                Names.Stage.PREDICT, Names.Stage.ACT, Names.PREDICTION_RESULT_MAP, Names.DEAD_LETTERS_MAP)) {
            assertThat(svg).as("a box naming %s", name).containsPattern(">([^<]* )?" + name + "( [^<]*)?<");
        }
    }

    @Test
    void shouldReadFusedVerticesAsTheirStages() {
        assertThat(PipelineDiagram.label("fused(ENRICH:ok, TRANSFORM)")).isEqualTo("ENRICH:ok + TRANSFORM");
        assertThat(PipelineDiagram.label("INGEST")).isEqualTo("INGEST");
    }
}
