package org.example.tools;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

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
    void shouldShowEveryStage() {
        assertThat(PipelineDiagram.svg()).contains(">INGEST<", ">FEATURES<", ">ENRICH<", " TRANSFORM ", ">PREDICT<",
                "ACT<", ">predictionResult<", ">deadLetters<");
    }

    @Test
    void shouldReadFusedVerticesAsTheirStages() {
        assertThat(PipelineDiagram.label("fused(ENRICH:ok, TRANSFORM)")).isEqualTo("ENRICH:ok + TRANSFORM");
        assertThat(PipelineDiagram.label("INGEST")).isEqualTo("INGEST");
    }
}
