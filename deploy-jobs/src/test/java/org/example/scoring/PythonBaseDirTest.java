package org.example.scoring;

import org.example.definition.Names;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class PythonBaseDirTest {

    @Test
    void shouldCopyEveryPythonFileOutOfTheJar() throws Exception {
        Path dir = PythonBaseDir.extract();

        for (String file : Names.PYTHON_FILES) {
            assertThat(Files.readString(dir.resolve(file))).as(file).isEqualTo(TestModels.resource(file));
        }
    }
}
