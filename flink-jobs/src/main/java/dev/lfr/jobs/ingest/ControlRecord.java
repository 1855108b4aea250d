package dev.lfr.jobs.ingest;

import dev.lfr.jobs.deadletter.Provenance;

/**
 * A record of a control topic (deployments, watchlist, adjudications) that passed its checks: its topic key and its
 * value, or no value for a tombstone, which deletes the key (the control topics are compacted, and compaction
 * deletes a key the same way).
 */
public record ControlRecord<T>(Provenance source, String key, T value) {
    public boolean isTombstone() {
        return value == null;
    }
}
