package dev.lfr.jobs.match;

import dev.lfr.jobs.ingest.ControlRecord;
import dev.lfr.jobs.ingest.ControlTopic;
import dev.lfr.schemas.WatchlistUpdate;
import dev.lfr.topics.Topics;
import dev.lfr.udfs.index.WatchlistIndexes;
import dev.lfr.udfs.watchlist.LiveWatchlist;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;

/**
 * The matcher's watchlist entries in three layers: the broadcast state (what the topic said, as compact entries,
 * checkpointed), under it the entries read from the topic when the subtask started without state, and the
 * {@link LiveWatchlist} that is searched, loaded from both once per start and then changed update by update. Updates arrive checked
 * ({@code InputRules}); an older one arriving late is ignored. Deletions, and tombstones of the topic, are kept as
 * deletion markers (no vector) at the version they deleted, so that neither a late, older upsert nor the start-up
 * read can bring the subject back. Not thread-safe: one per subtask.
 */
final class MatcherWatchlist implements AutoCloseable {
    private final Map<String, LiveWatchlist.Update> atStartup = new HashMap<>();
    private final LiveWatchlist live;
    private boolean loaded;

    MatcherWatchlist(int dimension, WatchlistIndexes.Choice indexChoice, List<LiveWatchlist.Update> atStartup) {
        this.live = new LiveWatchlist(dimension, indexChoice);
        atStartup.forEach(u -> this.atStartup.merge(key(u.watchlist(), u.subject()), u, MatcherWatchlist::newer));
    }

    static String key(String watchlist, String subject) {
        return Topics.watchlistKey(watchlist, subject);
    }

    /** The later of two entries of one key; an older one arriving late is ignored (as the topic's rules say). */
    private static LiveWatchlist.Update newer(LiveWatchlist.Update a, LiveWatchlist.Update b) {
        return b.version() >= a.version() ? b : a;
    }

    /** The live watchlist as it is, loaded or not yet (for gauges). */
    LiveWatchlist unloaded() {
        return live;
    }

    /** The live watchlist, loaded from the state and the start-up read at its first use. */
    LiveWatchlist live(ReadOnlyBroadcastState<String, LiveWatchlist.Update> state) throws Exception {
        if (!loaded) {
            Map<String, LiveWatchlist.Update> merged = new HashMap<>(atStartup);
            for (Map.Entry<String, LiveWatchlist.Update> e : state.immutableEntries()) {
                merged.merge(e.getKey(), e.getValue(), MatcherWatchlist::newer);
            }
            live.load(new ArrayList<>(merged.values()));
            loaded = true;
        }
        return live;
    }

    /** Applies a record of the watchlist topic to the state and, once loaded, to the live watchlist. */
    void apply(ControlRecord<WatchlistUpdate> r, BroadcastState<String, LiveWatchlist.Update> state) throws Exception {
        LiveWatchlist.Update current = state.contains(r.key()) ? state.get(r.key()) : atStartup.get(r.key());
        LiveWatchlist.Update stored;
        if (r.isTombstone()) {
            if (current == null) {
                return; // nothing to delete
            }
            stored = deletion(current); // the topic deleted the key: a deletion at the version it deleted
        } else {
            stored = ControlTopic.watchlistEntry(r.value());
            if (current != null && stored.version() < current.version()) {
                return;
            }
            if (current != null && current.sameEntryAs(stored)) {
                // the stream repeating what the start-up read found: keep the one vector the index already holds
                stored = current;
            }
        }
        atStartup.remove(r.key()); // the state answers for this key from now on
        state.put(r.key(), stored);
        if (loaded) {
            live.apply(stored);
        }
    }

    private static LiveWatchlist.Update deletion(LiveWatchlist.Update u) {
        return LiveWatchlist.Update.deletion(u.watchlist(), u.subject(), u.version());
    }

    @Override
    public void close() {
        live.close();
    }
}
