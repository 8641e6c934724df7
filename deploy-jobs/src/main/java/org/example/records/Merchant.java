package org.example.records;

/** A merchant, value of the {@code merchants} map (key = merchant code). */
public record Merchant(String merchantCode, String name, String category, double latitude, double longitude) {
}
