package dev.lfr.governance.audit;

import dev.lfr.schemas.AuditRecord;
import dev.lfr.schemas.AvroBytes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * The hash chain of the audit trail, without Kafka: each record names the SHA-256 of the bytes of the one before
 * and its place in the sequence, so a changed record breaks the next one's hash, and a removed or inserted record
 * breaks the sequence or a hash. A removed tail is caught by comparing the head hash with one kept elsewhere.
 */
public final class AuditChain {
    /** The previous hash of the first record. */
    public static final String GENESIS = "0".repeat(64);

    private AuditChain() {}

    /** One value as read from the topic. */
    public record Link(long offset, byte[] value) {}

    /**
     * @param intact  whether every record is in place
     * @param records records read
     * @param head    the hash of the last intact record's bytes (GENESIS for an empty trail)
     * @param problem what broke the chain first, or null
     */
    public record Verdict(boolean intact, long records, String head, String problem) {}

    public static String hash(byte[] value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The record that follows the one whose bytes are {@code previous} ({@code null}: the first record). */
    public static AuditRecord next(AuditRecord previousRecord, byte[] previous, AuditEvent e, Instant time) {
        return AuditRecord.newBuilder().setSequence(previousRecord == null ? 0 : previousRecord.getSequence() + 1)
                .setTime(time).setActor(e.actor()).setAction(e.action()).setDeployment(e.deployment())
                .setWatchlist(e.watchlist()).setSubject(e.subject()).setWhat(e.what()).setWhy(e.why())
                .setPreviousHash(previous == null ? GENESIS : hash(previous)).build();
    }

    /** Checks the links in topic order. */
    public static Verdict verify(List<Link> links) {
        String head = GENESIS;
        long expected = 0;
        for (Link l : links) {
            AuditRecord r;
            try {
                r = AvroBytes.decode(l.value(), AuditRecord.class);
            } catch (AvroBytes.UndecodableException ex) {
                return broken(expected, head, "offset " + l.offset() + " is not an audit record (" + ex.getMessage() + ")");
            }
            if (r.getSequence() != expected) {
                return broken(expected, head, "offset " + l.offset() + " has sequence " + r.getSequence() + " where "
                        + expected + " was due: a record is missing or was inserted");
            }
            if (!r.getPreviousHash().equals(head)) {
                return broken(expected, head, "record " + expected + " (offset " + l.offset() + ") does not follow record "
                        + (expected - 1) + ": one of them was changed");
            }
            head = hash(l.value());
            expected++;
        }
        return new Verdict(true, expected, head, null);
    }

    private static Verdict broken(long intact, String head, String problem) {
        return new Verdict(false, intact, head, problem);
    }
}
