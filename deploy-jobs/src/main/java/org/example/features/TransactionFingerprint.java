package org.example.features;

import org.example.records.Transaction;

/**
 * 64-bit fingerprints of a transaction's id and of its whole body, for telling a redelivery from
 * a reused id without keeping either in the per-card state. Stable across JVMs (a restored
 * snapshot compares them with new ones). Two different ids collide on one card within its window
 * with a chance of about n² / 2⁶⁵ for n transactions held: nil for any real card.
 */
final class TransactionFingerprint {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private TransactionFingerprint() {
    }

    static long ofId(String transactionId) {
        return mix(text(FNV_OFFSET, transactionId));
    }

    /** The same value for every field means the same transaction, however the JSON was written. */
    static long ofBody(Transaction txn) {
        long h = text(FNV_OFFSET, txn.transactionId());
        h = text(h, txn.cardToken());
        h = text(h, txn.merchantCode());
        h = number(h, Double.doubleToLongBits(txn.amount()));
        h = number(h, txn.eventTimeMs());
        h = number(h, Double.doubleToLongBits(txn.latitude()));
        h = number(h, Double.doubleToLongBits(txn.longitude()));
        return mix(h);
    }

    /** FNV-1a over the characters, with the length first so that field boundaries count. */
    private static long text(long h, String s) {
        h = number(h, s.length());
        for (int i = 0; i < s.length(); i++) {
            h = (h ^ s.charAt(i)) * FNV_PRIME;
        }
        return h;
    }

    private static long number(long h, long value) {
        for (int shift = 0; shift < 64; shift += 16) {
            h = (h ^ ((value >>> shift) & 0xffff)) * FNV_PRIME;
        }
        return h;
    }

    /** MurmurHash3's finaliser: spreads FNV's weak low bits over the whole word. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
