package dev.lfr.udfs.watchlist;

import com.carrotsearch.hppc.LongObjectHashMap;
import dev.lfr.udfs.index.WatchlistIndex;
import dev.lfr.udfs.index.WatchlistIndexes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The watchlists one matcher searches, kept current entry by entry. It owns the rules of the watchlist topic:
 * <ul>
 *   <li>an entry is a subject of a watchlist; an update of a higher or equal version replaces it, an older one
 *       arriving late is ignored;</li>
 *   <li>a deletion leaves a marker at its version, so that a late, older upsert cannot bring the subject back;</li>
 *   <li>an entry is not found from its expiry instant on, with no further update, and is then pruned.</li>
 * </ul>
 * Each watchlist has its own index, changed by incremental upserts and removals (never rebuilt for one update), so
 * an update is visible to the next search; an update that repeats what an entry already holds does no index work.
 * Graph indexes (HNSW for large watchlists) are built and rebuilt on a background thread while the exact or previous
 * index keeps answering. Plain Java, not thread-safe: one per matcher subtask.
 */
public final class LiveWatchlist implements AutoCloseable {
    /** Never expires. */
    public static final long NO_EXPIRY = Long.MAX_VALUE;

    /** One update: a vector to enrol, or none to delete. */
    public record Update(String watchlist, String subject, long version, float[] vector, long expiryMs)
            implements java.io.Serializable {
        public static Update deletion(String watchlist, String subject, long version) {
            return new Update(watchlist, subject, version, null, NO_EXPIRY);
        }

        public boolean isDeletion() {
            return vector == null;
        }

        /** The same entry: subject, version, expiry and vector alike (a record compares arrays by reference). */
        public boolean sameEntryAs(Update o) {
            return watchlist.equals(o.watchlist) && subject.equals(o.subject) && version == o.version
                    && expiryMs == o.expiryMs && Arrays.equals(vector, o.vector);
        }
    }

    /** The best entry for a query: who, how close (cosine similarity), and the watchlist's version. */
    public record Hit(String subject, float score, long watchlistVersion) {}

    /** What an update did. */
    public enum Applied { ADDED, REPLACED, DELETED, IGNORED }

    /** How a watchlist's index stands: its layout, live rows, tombstones, and whether a rebuild is in flight. */
    public record IndexStatus(String kind, int rows, long tombstones, boolean rebuilding) {}

    private final int dimension;
    private final WatchlistIndexes.Choice indexChoice;
    private final Map<String, Watchlist> lists = new HashMap<>();
    // graph builds run here, one at a time, never on the matcher's thread
    private final ExecutorService builds;

    public LiveWatchlist(int dimension) {
        this(dimension, WatchlistIndexes.Choice.AUTO);
    }

    public LiveWatchlist(int dimension, WatchlistIndexes.Choice indexChoice) {
        this(dimension, indexChoice, new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                WatchlistIndexes.backgroundBuilds("watchlist-index-build")));
    }

    /** With the executor background index builds run on (tests hold it to watch a build in flight). */
    LiveWatchlist(int dimension, WatchlistIndexes.Choice indexChoice, ExecutorService builds) {
        this.dimension = dimension;
        this.indexChoice = indexChoice;
        this.builds = builds;
    }

    /**
     * Applies updates in bulk (a start-up or a restore): each watchlist's index is sized once for its entries and
     * filled in one call.
     */
    public void load(List<Update> updates) {
        Map<String, List<Update>> byList = new HashMap<>();
        for (Update u : updates) {
            byList.computeIfAbsent(u.watchlist(), w -> new ArrayList<>()).add(u);
        }
        byList.forEach((name, list) -> {
            Watchlist w = lists.get(name);
            if (w == null) {
                w = newWatchlist();
                lists.put(name, w);
            }
            w.applyAll(list);
        });
    }

    public Applied apply(Update u) {
        return lists.computeIfAbsent(u.watchlist(), w -> newWatchlist()).apply(u);
    }

    private Watchlist newWatchlist() {
        return new Watchlist(WatchlistIndexes.live(dimension, indexChoice, builds));
    }

    /** The version a subject is at (its entry or its deletion marker), or empty if the watchlist never had it. */
    public java.util.OptionalLong version(String watchlist, String subject) {
        Watchlist w = lists.get(watchlist);
        Entry e = w == null ? null : w.entries.get(subject);
        return e == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(e.version);
    }

    /**
     * The best live entry of {@code watchlist} for each query, as things stand at {@code atMs}: entries whose expiry
     * has come are pruned first. A null hit where the watchlist has no live entry.
     */
    public Hit[] best(String watchlist, float[][] queries, long atMs) {
        Hit[] hits = new Hit[queries.length];
        Watchlist w = lists.get(watchlist);
        if (w == null) {
            return hits;
        }
        w.pruneExpired(atMs);
        if (w.index.size() == 0 || queries.length == 0) {
            return hits;
        }
        WatchlistIndex.Neighbours[] best = w.index.search(queries, 1);
        for (int i = 0; i < best.length; i++) {
            if (best[i].size() > 0) {
                hits[i] = new Hit(w.subjectOfRow.get(best[i].id(0)), best[i].score(0), w.version);
            }
        }
        return hits;
    }

    /** The index a watchlist is searched with now ({@code faiss-flat}, {@code faiss-hnsw}, {@code java-exact}, ...). */
    public IndexStatus indexStatus(String watchlist) {
        Watchlist w = lists.get(watchlist);
        return w == null ? new IndexStatus("none", 0, 0, false)
                : new IndexStatus(w.index.kind(), w.index.size(), w.index.tombstones(), w.index.rebuilding());
    }

    /**
     * Background index work running or queued now (builds, and the freeing of the indexes they replace); safe to
     * read from any thread (a metric).
     */
    public int rebuildsInFlight() {
        return builds instanceof ThreadPoolExecutor t ? t.getActiveCount() + t.getQueue().size() : 0;
    }

    /** Live (searchable) entries of a watchlist at {@code atMs}. */
    public int size(String watchlist, long atMs) {
        Watchlist w = lists.get(watchlist);
        if (w == null) {
            return 0;
        }
        w.pruneExpired(atMs);
        return w.index.size();
    }

    @Override
    public void close() {
        lists.values().forEach(w -> w.index.close());
        lists.clear();
        builds.shutdown(); // a build in native code cannot be interrupted: it finishes, sees it was abandoned, frees
    }

    /** A subject's state: its index row while live, its version, its expiry, and a hash of its vector. */
    private static final class Entry {
        final long row;
        final long version;
        final long expiryMs;
        final int vectorHash;
        boolean live;

        Entry(long row, long version, long expiryMs, int vectorHash, boolean live) {
            this.row = row;
            this.version = version;
            this.expiryMs = expiryMs;
            this.vectorHash = vectorHash;
            this.live = live;
        }

        /** The same entry again (a topic read at start-up, then the same records from the stream). */
        boolean sameAs(Update u) {
            return live && !u.isDeletion() && u.version() == version && u.expiryMs() == expiryMs
                    && Arrays.hashCode(u.vector()) == vectorHash;
        }
    }

    private static final class Watchlist {
        final WatchlistIndex index;
        final Map<String, Entry> entries = new HashMap<>();
        final LongObjectHashMap<String> subjectOfRow = new LongObjectHashMap<>();
        final PriorityQueue<Entry> byExpiry = new PriorityQueue<>((a, b) -> Long.compare(a.expiryMs, b.expiryMs));
        long nextRow;
        long version;

        Watchlist(WatchlistIndex index) {
            this.index = index;
        }

        Applied apply(Update u) {
            Entry old = entries.get(u.subject());
            if (old != null && (u.version() < old.version || old.sameAs(u))) {
                return Applied.IGNORED; // older, or what it already holds: no index work (a flat index's replace is O(n))
            }
            version = Math.max(version, u.version());
            if (u.isDeletion()) {
                if (old != null && old.live) {
                    retire(old);
                }
                entries.put(u.subject(), new Entry(-1, u.version(), NO_EXPIRY, 0, false));
                return Applied.DELETED;
            }
            // a replaced subject keeps its row: upsert replaces the vector in place
            long row = old != null && old.live ? old.row : nextRow++;
            index.upsert(row, u.vector());
            Entry e = new Entry(row, u.version(), u.expiryMs(), Arrays.hashCode(u.vector()), true);
            if (old != null && old.live) {
                old.live = false; // its expiry-queue entry is now stale
            }
            entries.put(u.subject(), e);
            subjectOfRow.put(row, u.subject());
            if (u.expiryMs() != NO_EXPIRY) {
                byExpiry.add(e);
            }
            return old != null && old.row == row ? Applied.REPLACED : Applied.ADDED;
        }

        /** Applies a batch with one index call for the vectors that end up live. */
        void applyAll(List<Update> updates) {
            if (!entries.isEmpty()) {
                updates.forEach(this::apply);
                return;
            }
            Map<String, Update> latest = new HashMap<>();
            for (Update u : updates) {
                latest.merge(u.subject(), u, (a, b) -> b.version() >= a.version() ? b : a);
            }
            List<Long> ids = new ArrayList<>();
            List<float[]> vectors = new ArrayList<>();
            for (Update u : latest.values()) {
                version = Math.max(version, u.version());
                if (u.isDeletion()) {
                    entries.put(u.subject(), new Entry(-1, u.version(), NO_EXPIRY, 0, false));
                    continue;
                }
                Entry e = new Entry(nextRow++, u.version(), u.expiryMs(), Arrays.hashCode(u.vector()), true);
                entries.put(u.subject(), e);
                subjectOfRow.put(e.row, u.subject());
                if (u.expiryMs() != NO_EXPIRY) {
                    byExpiry.add(e);
                }
                ids.add(e.row);
                vectors.add(u.vector());
            }
            index.upsertAll(ids.stream().mapToLong(Long::longValue).toArray(), vectors.toArray(float[][]::new));
        }

        void pruneExpired(long atMs) {
            while (!byExpiry.isEmpty() && byExpiry.peek().expiryMs <= atMs) {
                Entry e = byExpiry.poll();
                if (e.live) {
                    retire(e);
                }
            }
        }

        private void retire(Entry e) {
            e.live = false;
            index.remove(e.row);
            subjectOfRow.remove(e.row);
        }
    }
}
