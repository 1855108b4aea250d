package dev.lfr.udfs.index;

import com.carrotsearch.hppc.LongIntHashMap;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A watchlist's FAISS index that never makes its caller wait for a graph build. It starts on an exact layout, which
 * fills at memory speed, so a million-row watchlist is searchable seconds after it is read; when the configured
 * {@link WatchlistIndexes.Choice} asks for another layout (HNSW past 200k rows), or when tombstones pass a tenth of
 * its rows (removals and replacements leave tombstones in every layout, so none costs more than a map update), a
 * fresh index is built on the {@code builds} executor from the live vectors. Meanwhile every
 * change goes to the serving index at once (visible to the next search) and to a journal; the builder replays the
 * journal, and the caller's next call swaps the fresh index in and replays the few changes left.
 *
 * <p>Every index it serves has room reserved for a quarter more rows than it was given ({@link FaissIndex#reserve}):
 * past its capacity an array an add appends to is copied whole, which on a million rows held the caller for seconds.
 * When half the room is used, a fresh index with room again is built in the background, like any other build.
 *
 * <p>Keeps a reference to each upserted vector, for the builds: callers must not change a vector after upserting it
 * (the watchlist's vectors are already held by the matcher's broadcast state, so this costs no copy). Not
 * thread-safe: one caller thread, plus the builder, which touches only its own fresh index and the journal.
 */
final class BackgroundBuiltIndex implements WatchlistIndex {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundBuiltIndex.class);
    /** Rows given to a fresh index in one call, so a build holds no extra multi-gigabyte copy. */
    private static final int ROWS_PER_FILL = 65_536;
    private static final int CATCH_UP_ROUNDS = 32;
    /** Changes the caller's thread may replay when it swaps the fresh index in: well under a millisecond's work. */
    private static final int LEFT_FOR_THE_SWAP = 2;
    private static final long RETRY_AFTER_FAILURE_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** The least room an index is given: growing arrays this small costs microseconds. */
    private static final long MIN_HEADROOM = 1_024;

    private final int dimension;
    private final WatchlistIndexes.Choice choice;
    private final Executor builds;
    private FaissIndex serving;
    // the live vectors, densely packed so that a build's input is two array copies, not a walk over a map
    private long[] ids = new long[16];
    private float[][] vectors = new float[16][];
    private final LongIntHashMap slotOf = new LongIntHashMap();
    private Build build;
    private long retryAfterNanos = Long.MIN_VALUE;
    private long buildsDone;

    /** One build in flight: its result, and the changes made since its input was taken. */
    private static final class Build {
        final ConcurrentLinkedQueue<Change> journal = new ConcurrentLinkedQueue<>();
        final long startedNanos = System.nanoTime();
        CompletableFuture<FaissIndex> result;
        volatile boolean abandoned;
        boolean handedOver;
    }

    /** An upsert, or a removal when {@code vector} is null. */
    private record Change(long id, float[] vector) {
        void applyTo(WatchlistIndex index) {
            if (vector == null) {
                index.remove(id);
            } else {
                index.upsert(id, vector);
            }
        }
    }

    BackgroundBuiltIndex(int dimension, WatchlistIndexes.Choice choice, Executor builds) {
        Vectors.checkDimension(dimension);
        this.dimension = dimension;
        this.choice = choice;
        this.builds = builds;
        this.serving = WatchlistIndexes.create(FaissIndex.Layout.FLAT, dimension);
        serving.reserve(MIN_HEADROOM);
    }

    /** The rows an index of {@code rows} gets room for beyond them. */
    static long headroom(long rows) {
        return Math.max(MIN_HEADROOM, rows / 4);
    }

    @Override
    public void upsert(long id, float[] vector) {
        upsertAll(new long[] {id}, new float[][] {vector});
    }

    @Override
    public void upsertAll(long[] newIds, float[][] newVectors) {
        swapIfBuilt();
        FaissIndex.Layout first = immediateLayout(Arrays.stream(newIds).distinct().count());
        if (size() == 0 && serving.size() == 0) {
            // a first load goes straight into the exact layout it should have, with room to grow; if the batch is
            // refused, the empty flat index stays (an untrained quantiser would refuse every later upsert)
            long wanted = newIds.length + headroom(newIds.length);
            if (serving.layout() != first) {
                FaissIndex fresh = WatchlistIndexes.create(first, dimension);
                try {
                    fresh.reserve(wanted);
                    fresh.upsertAll(newIds, newVectors);
                } catch (RuntimeException e) {
                    fresh.close();
                    throw e;
                }
                serving.close();
                serving = fresh;
            } else {
                serving.reserve(wanted);
                serving.upsertAll(newIds, newVectors);
            }
            slotOf.ensureCapacity((int) Math.min(Integer.MAX_VALUE - 8, wanted));
        } else {
            serving.upsertAll(newIds, newVectors); // checks every vector first, and changes nothing if one is bad
        }
        for (int i = 0; i < newIds.length; i++) {
            keep(newIds[i], newVectors[i]);
            journal(new Change(newIds[i], newVectors[i]));
        }
        startBuildIfDue();
    }

    @Override
    public boolean remove(long id) {
        return removeAll(new long[] {id}) == 1;
    }

    @Override
    public int removeAll(long[] removed) {
        swapIfBuilt();
        int n = serving.removeAll(removed);
        for (long id : removed) {
            if (forget(id)) {
                journal(new Change(id, null));
            }
        }
        startBuildIfDue();
        return n;
    }

    @Override
    public Neighbours[] search(float[][] queries, int k) {
        swapIfBuilt();
        return serving.search(queries, k);
    }

    @Override
    public int size() {
        return slotOf.size();
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public long tombstones() {
        return serving.tombstones();
    }

    /** The layout serving searches now (a build may be moving it to another). */
    @Override
    public String kind() {
        return serving.kind();
    }

    @Override
    public boolean rebuilding() {
        return build != null;
    }

    /** Builds swapped in so far. */
    long buildsDone() {
        return buildsDone;
    }

    /** Rows the serving index takes before an array must grow. */
    long room() {
        return serving.room();
    }

    /** Not offered: a live watchlist is restored from its topic or the matcher's broadcast state, not from bytes. */
    @Override
    public byte[] snapshot() {
        throw new UnsupportedOperationException("a live watchlist index is rebuilt from its entries, not snapshotted");
    }

    @Override
    public void restore(byte[] snapshot) {
        throw new UnsupportedOperationException("a live watchlist index is rebuilt from its entries, not snapshotted");
    }

    /** Frees an index on the builder's thread: tearing down a large one takes tens of milliseconds. */
    private void closeElsewhere(FaissIndex old) {
        try {
            builds.execute(old::close);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            old.close();
        }
    }

    @Override
    public void close() {
        serving.close();
        Build b = build;
        build = null;
        if (b != null) {
            boolean handedOver;
            synchronized (b) {
                b.abandoned = true; // a builder still working frees its index itself
                handedOver = b.handedOver;
            }
            if (handedOver) {
                b.result.handle((fresh, error) -> {
                    if (fresh != null) {
                        fresh.close();
                    }
                    return null;
                });
            }
        }
    }

    /** The layout to fill at once: the configured one if it is exact, else the exact layout it is built from. */
    private FaissIndex.Layout immediateLayout(long rows) {
        FaissIndex.Layout target = choice.layoutFor(rows);
        return switch (target) {
            case HNSW -> FaissIndex.Layout.FLAT;
            case HNSW_SQ8 -> FaissIndex.Layout.SQ8;
            default -> target;
        };
    }

    private void keep(long id, float[] vector) {
        int slot = slotOf.getOrDefault(id, -1);
        if (slot < 0) {
            slot = slotOf.size();
            if (slot == ids.length) {
                ids = Arrays.copyOf(ids, slot * 2);
                vectors = Arrays.copyOf(vectors, slot * 2);
            }
            slotOf.put(id, slot);
            ids[slot] = id;
        }
        vectors[slot] = vector;
    }

    private boolean forget(long id) {
        if (!slotOf.containsKey(id)) {
            return false;
        }
        int slot = slotOf.remove(id);
        int last = slotOf.size(); // the last slot moves into the hole
        if (slot != last) {
            ids[slot] = ids[last];
            vectors[slot] = vectors[last];
            slotOf.put(ids[slot], slot);
        }
        vectors[last] = null;
        return true;
    }

    private void journal(Change change) {
        if (build != null) {
            build.journal.add(change);
        }
    }

    private void startBuildIfDue() {
        if (build != null || System.nanoTime() < retryAfterNanos) {
            return;
        }
        FaissIndex.Layout target = choice.layoutFor(size());
        boolean wrongLayout = target != serving.layout() && !keepsLayout(target);
        boolean roomRunningOut = serving.room() < headroom(size()) / 2;
        if (!wrongLayout && !roomRunningOut && !WatchlistIndex.worthRebuilding(serving.tombstones(), size())) {
            return;
        }
        // room or tombstones: the same layout again
        FaissIndex.Layout layout = wrongLayout ? target : serving.layout();
        Build b = new Build();
        long[] inputIds = Arrays.copyOf(ids, size());
        float[][] inputVectors = Arrays.copyOf(vectors, size());
        LOG.info("building a {} index of {} rows in the background (serving {} with {} tombstones, room for {} more)",
                layout, inputIds.length, serving.kind(), serving.tombstones(), serving.room());
        b.result = CompletableFuture.supplyAsync(() -> buildFresh(b, layout, dimension, inputIds, inputVectors), builds);
        build = b;
    }

    /**
     * Hysteresis: a graph stays a graph until the rows fall to half the size that calls for one, so a watchlist near
     * the threshold is not rebuilt back and forth.
     */
    private boolean keepsLayout(FaissIndex.Layout target) {
        return serving.layout().graph() && !target.graph() && size() >= WatchlistIndexes.HNSW_FROM_ROWS / 2;
    }

    /** On the builder thread: fill a fresh index, replay the journal, and hand it over unless abandoned. */
    private static FaissIndex buildFresh(Build b, FaissIndex.Layout layout, int dimension, long[] ids, float[][] vectors) {
        FaissIndex fresh = WatchlistIndexes.create(layout, dimension);
        try {
            fresh.reserve(ids.length + headroom(ids.length));
            for (int from = 0; from < ids.length && !b.abandoned; from += ROWS_PER_FILL) {
                int to = Math.min(ids.length, from + ROWS_PER_FILL);
                fresh.upsertAll(Arrays.copyOfRange(ids, from, to), Arrays.copyOfRange(vectors, from, to));
            }
            // catch up with the changes made meanwhile, in rounds of what is there at the start of each, so a caller
            // changing the watchlist faster than the graph takes it cannot keep the build from ending
            for (int round = 0; round < CATCH_UP_ROUNDS && b.journal.size() > LEFT_FOR_THE_SWAP; round++) {
                for (int n = b.journal.size(); n > 0; n--) {
                    b.journal.poll().applyTo(fresh);
                }
            }
            synchronized (b) {
                if (b.abandoned) {
                    fresh.close();
                    return null;
                }
                b.handedOver = true;
            }
            return fresh;
        } catch (RuntimeException | Error e) {
            fresh.close();
            throw e;
        }
    }

    private void swapIfBuilt() {
        Build b = build;
        if (b == null || !b.result.isDone()) {
            return;
        }
        build = null;
        FaissIndex fresh;
        try {
            fresh = b.result.join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            retryAfterNanos = System.nanoTime() + RETRY_AFTER_FAILURE_NANOS;
            LOG.warn("a background index build failed; serving {} and trying again in a minute", serving.kind(), e.getCause());
            return;
        }
        int replayed = 0;
        for (Change c = b.journal.poll(); c != null; c = b.journal.poll()) {
            c.applyTo(fresh); // the changes made since the builder last looked: a handful unless it was flooded
            replayed++;
        }
        FaissIndex old = serving;
        serving = fresh;
        closeElsewhere(old);
        buildsDone++;
        LOG.info("swapped in a {} index of {} rows built in {} s ({} changes replayed at the swap)", fresh.kind(),
                fresh.size(), TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - b.startedNanos), replayed);
    }
}
