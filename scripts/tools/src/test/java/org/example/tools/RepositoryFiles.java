package org.example.tools;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files of this repository for a test, whichever module directory the test runs in. */
public final class RepositoryFiles {

    /** The repository's root: the first directory upwards that holds the job module. */
    public static final Path ROOT = findRoot();

    private RepositoryFiles() {
    }

    public static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    private static Path findRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("deploy-jobs/pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("No repository root above " + Path.of("").toAbsolutePath());
    }
}
