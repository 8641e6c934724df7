package org.example.scoring;

import org.example.definition.Names;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PythonBaseDirTest {

    @Test
    void shouldCopyEveryPythonFileOutOfTheJar() throws Exception {
        Path dir = PythonBaseDir.extract();

        for (String file : Names.PYTHON_FILES) {
            assertThat(Files.readAllBytes(dir.resolve(file))).as(file).isEqualTo(resource(file));
        }
    }

    @Test
    void shouldTakeTheModelFromTheModelDirAndEverythingElseFromTheJar(@TempDir Path models) throws Exception {
        // Given a retrained model: the shipped one under another version
        Files.write(models.resolve("fraud_model.txt"), resource("fraud_model.txt"));
        Files.writeString(models.resolve("fraud_model.json"), shippedMetadata()
                .replaceFirst("\"model_version\": \"[^\"]+\"", "\"model_version\": \"lgbm-20991231-retrained\""));

        // When
        Path dir = PythonBaseDir.extract(models.toString());

        // Then
        assertThat(PythonBaseDir.modelVersion(dir)).isEqualTo("lgbm-20991231-retrained");
        assertThat(dir.resolve("fraud_model.json")).hasSameTextualContentAs(models.resolve("fraud_model.json"));
        assertThat(Files.readAllBytes(dir.resolve("fraud_handler.py"))).isEqualTo(resource("fraud_handler.py"));
        assertThat(Files.readAllBytes(dir.resolve("features.json"))).isEqualTo(resource("features.json"));
    }

    @Test
    void shouldNameTheMissingFileOfAModelDir(@TempDir Path models) throws Exception {
        Files.write(models.resolve("fraud_model.txt"), resource("fraud_model.txt"));

        assertThatThrownBy(() -> PythonBaseDir.extract(models.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--model-dir " + models + ": no fraud_model.json (python/train.py --out writes it)");
    }

    @Test
    void shouldRefuseMetadataOfOtherColumnsThanTheJobsFeatures(@TempDir Path models) throws Exception {
        Files.write(models.resolve("fraud_model.txt"), resource("fraud_model.txt"));
        Files.writeString(models.resolve("fraud_model.json"), shippedMetadata().replace("\"burst_share_7d\"", "\"burst_7d\""));

        assertThatThrownBy(() -> PythonBaseDir.extract(models.toString()))
                .hasMessageContaining("fraud_model.json lists the columns [amount, ")
                .hasMessageContaining("burst_7d], but this job's features.json defines [amount, ");
    }

    @Test
    void shouldRefuseAModelFileTrainedOnOtherColumns(@TempDir Path models) throws Exception {
        String model = new String(resource("fraud_model.txt")).replaceFirst("feature_names=amount ", "feature_names=amt ");
        Files.writeString(models.resolve("fraud_model.txt"), model);
        Files.writeString(models.resolve("fraud_model.json"), shippedMetadata());

        assertThatThrownBy(() -> PythonBaseDir.extract(models.toString()))
                .hasMessageContaining("fraud_model.txt was trained on the columns [amt, category, ");
    }

    @Test
    void shouldRefuseMetadataWithoutAVersion(@TempDir Path models) throws Exception {
        Files.write(models.resolve("fraud_model.txt"), resource("fraud_model.txt"));
        Files.writeString(models.resolve("fraud_model.json"), shippedMetadata().replaceFirst("\"model_version\"", "\"version\""));

        assertThatThrownBy(() -> PythonBaseDir.extract(models.toString()))
                .hasMessageEndingWith("fraud_model.json has no model_version");
    }

    private static String shippedMetadata() throws IOException {
        return new String(resource("fraud_model.json"));
    }

    private static byte[] resource(String file) throws IOException {
        try (InputStream in = PythonBaseDirTest.class.getClassLoader()
                .getResourceAsStream(Names.PYTHON_RESOURCE_DIR + file)) {
            assertThat(in).as(file).isNotNull();
            return in.readAllBytes();
        }
    }
}
