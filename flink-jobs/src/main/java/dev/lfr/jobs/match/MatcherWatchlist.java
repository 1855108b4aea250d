package dev.lfr.jobs.match;

import dev.lfr.jobs.ingest.ControlRecord;
import dev.lfr.jobs.ingest.ControlTopic;
import dev.lfr.schemas.WatchlistOp;
import dev.lfr.schemas.WatchlistUpdate;
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

    MatcherWatchlist(int dimension, List<WatchlistUpdate> atStartup) {
        this.live = new LiveWatchlist(dimension);
        atStartup.forEach(u -> this.atStartup.merge(key(u.getWatchlist(), u.getSubject()), entry(u), MatcherWatchlist::newer));
    }

    static String key(String watchlist, String subject) {
        return ControlTopic.watchlistKey(watchlist, subject);
    }

    /** The later of two entries of one key; an older one arriving late is ignored (as the topic's rules say). */
    private static LiveWatchlist.Update newer(LiveWatchlist.Update a, LiveWatchlist.Update b) {
        return b.version() >= a.version() ? b : a;
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
            // from now on the start-up entries only answer "which version was it at": their vectors can go
            atStartup.replaceAll((k, u) -> deletion(u));
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
            stored = entry(r.value());
            if (current != null && stored.version() < current.version()) {
                return;
            }
        }
        state.put(r.key(), stored);
        if (loaded) {
            live.apply(stored);
        }
    }

    private static LiveWatchlist.Update deletion(LiveWatchlist.Update u) {
        return LiveWatchlist.Update.deletion(u.watchlist(), u.subject(), u.version());
    }

    /** A topic record as an entry: a deletion (no vector) unless it is an upsert. */
    static LiveWatchlist.Update entry(WatchlistUpdate u) {
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

    @Override
    public void close() {
        live.close();
    }
}
