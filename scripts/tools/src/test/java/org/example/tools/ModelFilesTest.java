package org.example.tools;

import org.example.registry.ModelEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A model is published only once both scorers accept it; each refusal names the scorer and the check. */
class ModelFilesTest {

    @Test
    void shouldAcceptAModelBothScorersLoad(@TempDir Path dir) throws Exception {
        TestModelDirs.trained(dir, 7);

        ModelEntry entry = ModelFiles.checked(dir, "python3", 42, "tester");

        assertThat(entry.version()).isEqualTo("test-7-binary");
        assertThat(entry.isIntact()).isTrue();
        assertThat(entry.modelText()).isEqualTo(Files.readString(dir.resolve("fraud_model.txt")));
        assertThat(entry.publishedBy()).isEqualTo("tester");
    }

    @Test
    void shouldNameAMissingFile(@TempDir Path dir) throws Exception {
        TestModelDirs.trained(dir, 7);
        Files.delete(dir.resolve("fraud_model.json"));

        assertThatThrownBy(() -> ModelFiles.checked(dir, "python3", 0, "t"))
                .hasMessage("files: " + dir + " has no fraud_model.json (python/train.py --out writes it)");
    }

    @Test
    void shouldRefuseACorruptFileWithTheJavaScorersCheck(@TempDir Path dir) throws Exception {
        TestModelDirs.trained(dir, 7);
        Files.writeString(dir.resolve("fraud_model.txt"), "not a model at all");

        assertThatThrownBy(() -> ModelFiles.checked(dir, "python3", 0, "t"))
                .hasMessageStartingWith("the Java scorer refuses it: parse: ");
    }

    @Test
    void shouldRefuseAModelOnlyThePythonSideCannotLoad(@TempDir Path dir) throws Exception {
        TestModelDirs.unloadableByLightGbm(dir);

        assertThatThrownBy(() -> ModelFiles.checked(dir, "python3", 0, "t"))
                .hasMessageStartingWith("the Python scorer refuses it: parse: ")
                .hasMessageContaining("label index");
    }

    @Test
    void shouldTreatAPythonThatCannotRunTheHandlerAsARefusalNotAPass(@TempDir Path dir) throws Exception {
        TestModelDirs.trained(dir, 7);

        assertThatThrownBy(() -> ModelFiles.checked(dir, "false", 0, "t"))
                .hasMessageStartingWith("the Python scorer refuses it: false could not run the handler's check");
    }
}
