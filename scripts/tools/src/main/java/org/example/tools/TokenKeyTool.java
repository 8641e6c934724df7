package org.example.tools;

import org.example.tokens.CardTokens;
import org.example.tokens.TokenKey;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.Callable;

/**
 * Makes a card-token key file (docs/DEPLOY.md, "Card tokens"): a new key id and 256 random bits,
 * readable by its owner only. Never overwrites a key: a lost key makes every token of it
 * meaningless, so replacing one is a rotation, done on purpose.
 */
@Command(name = "token-key", mixinStandardHelpOptions = true,
        description = "Writes a new card-token key file (mode 0600), or says which key a file holds.")
public final class TokenKeyTool implements Callable<Integer> {

    @Parameters(index = "0", description = "The key file to write (or, with --show, to read)")
    Path file;

    @Option(names = "--id", description = "The key's id, named by every token made with it (default: key-<today>)")
    String id;

    @Option(names = "--show", description = "Say which key the file holds (its id and fingerprint), write nothing")
    boolean show;

    public static void main(String[] args) {
        System.exit(new CommandLine(new TokenKeyTool()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        if (show) {
            System.out.printf("%s: %s%n", file, CardTokens.describe(new CardTokens(TokenKey.read(file)).fingerprint()));
            return 0;
        }
        String keyId = id != null ? id : "key-" + LocalDate.now(ZoneOffset.UTC).toString().replace("-", "");
        String text = TokenKey.newKeyFile(keyId, 32, new SecureRandom());
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            System.err.println(file + " exists: a key is never overwritten (rotating one: docs/DEPLOY.md, \"Card tokens\")");
            return 1;
        }
        Files.writeString(file, text);
        System.out.printf("Wrote card-token key %s to %s (mode 0600)%n", keyId, file);
        return 0;
    }
}
