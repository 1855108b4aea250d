package dev.lfr.jobs.ingest;

import dev.lfr.jobs.deadletter.Provenance;
import dev.lfr.schemas.Adjudication;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.DeadLetterReason;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.WatchlistOp;
import dev.lfr.schemas.WatchlistUpdate;
import dev.lfr.topics.Topics;
import dev.lfr.udfs.watchlist.LiveWatchlist;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;

/**
 * How the records of one control topic are read: their schema, the key a value must be published under, whether a
 * tombstone deletes, and the {@link InputRules} check of every field. The job's decoding operator and its start-up
 * read use the same instance, so both accept exactly the same records.
 */
public abstract class ControlTopic<T extends SpecificRecord> implements Serializable {
    /** Deployments, keyed by deployment id. */
    public static final ControlTopic<Deployment> DEPLOYMENTS = new ControlTopic<>(Deployment.class, true) {
        @Override
        public String keyOf(Deployment d) {
            return d.getId();
        }

        @Override
        void check(Deployment d, InputRules rules, long nowMs) throws RecordRejected {
            rules.checkDeployment(d);
        }
    };

    /** Watchlist entries, keyed by {@code watchlist/subject}. */
    public static final ControlTopic<WatchlistUpdate> WATCHLIST = new ControlTopic<>(WatchlistUpdate.class, true) {
        @Override
        public String keyOf(WatchlistUpdate u) {
            return Topics.watchlistKey(u.getWatchlist(), u.getSubject());
        }

        @Override
        void check(WatchlistUpdate u, InputRules rules, long nowMs) throws RecordRejected {
            rules.checkWatchlistUpdate(u, nowMs);
        }

        @Override
        public boolean replaces(WatchlistUpdate newer, WatchlistUpdate current) {
            return newer.getVersion() >= current.getVersion(); // an older update arriving late is ignored
        }
    };

    /**
     * Officers' decisions, read as events: the topic keeps each alert's latest (compacted by alert id, as the tools
     * write it), but a verdict the metrics have counted is never withdrawn, so a tombstone is refused and no key is
     * checked.
     */
    public static final ControlTopic<Adjudication> ADJUDICATIONS = new ControlTopic<>(Adjudication.class, false) {
        @Override
        public String keyOf(Adjudication a) {
            return null;
        }

        @Override
        void check(Adjudication a, InputRules rules, long nowMs) throws RecordRejected {
            rules.checkAdjudication(a, nowMs);
        }
    };

    private final Class<T> type;
    private final boolean compacted;

    private ControlTopic(Class<T> type, boolean compacted) {
        this.type = type;
        this.compacted = compacted;
    }

    public Class<T> type() {
        return type;
    }

    /** The key a value must be published under on a compacted topic; null where the topic has no key rule. */
    public abstract String keyOf(T value);

    abstract void check(T value, InputRules rules, long nowMs) throws RecordRejected;

    /** Whether {@code newer}, read after {@code current} under the same key, takes its place. */
    public boolean replaces(T newer, T current) {
        return true;
    }

    /**
     * A checked watchlist record as the matcher keeps it: a deletion (no vector) unless it is an upsert, the vector
     * unboxed (the Avro record's {@code List<Float>} is five times the size on the heap).
     */
    public static LiveWatchlist.Update watchlistEntry(WatchlistUpdate u) {
        if (u.getOp() != WatchlistOp.UPSERT) {
            return LiveWatchlist.Update.deletion(u.getWatchlist(), u.getSubject(), u.getVersion());
        }
        float[] v = new float[u.getVector().size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = u.getVector().get(i);
        }
        return new LiveWatchlist.Update(u.getWatchlist(), u.getSubject(), u.getVersion(), v,
                u.getExpiry() == null ? LiveWatchlist.NO_EXPIRY : u.getExpiry().toEpochMilli());
    }

    /**
     * Decodes and checks one record.
     *
     * @param reader a reader of {@link #type()} (one per thread)
     * @throws RecordRejected when the record is not to be used, with the reason for its dead letter
     */
    public ControlRecord<T> read(AvroBytes.Reader<T> reader, Provenance source, byte[] key, byte[] value,
                                 InputRules rules, long nowMs) throws RecordRejected {
        String k = key == null ? null : new String(key, StandardCharsets.UTF_8);
        if (value == null) {
            if (!compacted) {
                throw new RecordRejected(DeadLetterReason.INVALID_RECORD, "a tombstone withdraws nothing here: write the corrected record instead");
            }
            if (k == null || k.isEmpty()) {
                throw new RecordRejected(DeadLetterReason.INVALID_RECORD, "a tombstone without a key deletes nothing");
            }
            return new ControlRecord<>(source, k, null);
        }
        T record;
        try {
            record = reader.read(value);
        } catch (AvroBytes.UndecodableException e) {
            throw new RecordRejected(DeadLetterReason.UNDECODABLE_RECORD, e.getMessage());
        }
        check(record, rules, nowMs);
        String expected = keyOf(record);
        // a keyless record cannot be on a compacted topic (the broker refuses it); a wrong key would let the value
        // outlive a tombstone of its real key
        if (compacted && k != null && !k.equals(expected)) {
            throw new RecordRejected(DeadLetterReason.INVALID_RECORD, "published under key '" + clip(k)
                    + "', its own key is '" + expected + "'");
        }
        return new ControlRecord<>(source, expected, record);
    }

    private static String clip(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
