package org.example.registry;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A published model, value of map {@code models} keyed by its version: the two files
 * {@code python/train.py --out} writes, as texts, with a checksum over both, and who published it
 * when. Published once and never changed: a version names one model for good.
 *
 * @param sha256 of the model text, a NUL and the metadata text: a member that reads the entry
 *               checks it before it scores with the model
 */
public record ModelEntry(
        String version,
        String modelText,
        String metadataJson,
        String sha256,
        long publishedAtMs,
        String publishedBy) {

    public static ModelEntry of(String version, String modelText, String metadataJson, long nowMs, String by) {
        return new ModelEntry(version, modelText, metadataJson, sha256(modelText, metadataJson), nowMs, by);
    }

    /** Whether the texts are the ones the checksum was made of. */
    public boolean isIntact() {
        return sha256.equals(sha256(modelText, metadataJson));
    }

    /** The checksum of a model's two texts. */
    public static String sha256(String modelText, String metadataJson) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(modelText.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(metadataJson.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
