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
 * The matcher's watchlist entries in three layers: the broadcast state (what the topic said, checkpointed), under it
 * the entries read from the topic when the subtask started without state, and the {@link LiveWatchlist} that is
 * searched, loaded from both once per start and then changed update by update. Updates arrive checked
 * ({@code InputRules}); an older one arriving late is ignored. Deletions, and tombstones of the topic, are kept as
 * deletion markers (no vector) at the version they deleted, so that neither a late, older upsert nor the start-up
 * read can bring the subject back. Not thread-safe: one per subtask.
 */
final class MatcherWatchlist implements AutoCloseable {
    private final Map<String, WatchlistUpdate> atStartup = new HashMap<>();
    private final LiveWatchlist live;
    private boolean loaded;

    MatcherWatchlist(int dimension, List<WatchlistUpdate> atStartup) {
        this.live = new LiveWatchlist(dimension);
        atStartup.forEach(u -> this.atStartup.merge(key(u), u, (a, b) -> ControlTopic.WATCHLIST.replaces(b, a) ? b : a));
    }

    static String key(WatchlistUpdate u) {
        return ControlTopic.watchlistKey(u.getWatchlist(), u.getSubject());
    }

    /** The live watchlist, loaded from the state and the start-up read at its first use. */
    LiveWatchlist live(ReadOnlyBroadcastState<String, WatchlistUpdate> state) throws Exception {
        if (!loaded) {
            Map<String, WatchlistUpdate> merged = new HashMap<>(atStartup);
            for (Map.Entry<String, WatchlistUpdate> e : state.immutableEntries()) {
                merged.merge(e.getKey(), e.getValue(), (base, read) -> ControlTopic.WATCHLIST.replaces(read, base) ? read : base);
            }
            List<LiveWatchlist.Update> updates = new ArrayList<>(merged.size());
            merged.values().forEach(u -> updates.add(toUpdate(u)));
            live.load(updates);
            loaded = true;
            // from now on the start-up entries only answer "which version was it at": their vectors can go
            atStartup.replaceAll((k, u) -> WatchlistUpdate.newBuilder(u).setVector(null).build());
        }
        return live;
    }

    /** Applies a record of the watchlist topic to the state and, once loaded, to the live watchlist. */
    void apply(ControlRecord<WatchlistUpdate> r, BroadcastState<String, WatchlistUpdate> state) throws Exception {
        WatchlistUpdate current = state.contains(r.key()) ? state.get(r.key()) : atStartup.get(r.key());
        WatchlistUpdate stored;
        if (r.isTombstone()) {
            if (current == null) {
                return; // nothing to delete
            }
            stored = WatchlistUpdate.newBuilder(current).setOp(WatchlistOp.DELETE).setVector(null).build();
        } else {
            WatchlistUpdate u = r.value();
            if (current != null && !ControlTopic.WATCHLIST.replaces(u, current)) {
                return;
            }
            stored = u.getOp() == WatchlistOp.DELETE ? WatchlistUpdate.newBuilder(u).setVector(null).build() : u;
        }
        state.put(r.key(), stored);
        if (loaded) {
            live.apply(toUpdate(stored));
        }
    }

    static LiveWatchlist.Update toUpdate(WatchlistUpdate u) {
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
