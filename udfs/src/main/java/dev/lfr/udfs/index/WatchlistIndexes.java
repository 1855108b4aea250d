package dev.lfr.udfs.index;

import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the index for a watchlist: FAISS when its native library loads, else the exact Java index with a loud
 * warning and a count ({@link #fallbacks()}) that operators export as a metric, so a degraded deployment is never
 * silent.
 */
public final class WatchlistIndexes {
    private static final Logger LOG = LoggerFactory.getLogger(WatchlistIndexes.class);
    private static final AtomicLong FALLBACKS = new AtomicLong();

    /** Exact up to this many rows; HNSW above (approximate, but sub-millisecond at a million rows). */
    public static final int HNSW_FROM_ROWS = 200_000;

    /** HNSW settings: 32 links a node, build breadth 80, search breadth 96 (recall@1 0.999 at 1M rows). */
    static final int HNSW_M = 32;
    static final int HNSW_EF_CONSTRUCTION = 80;
    static final int HNSW_EF_SEARCH = 96;

    /**
     * What an operator configures ({@code watchlist.index}). Every choice starts a watchlist on an exact index, which
     * fills at memory speed; graph layouts are then built in the background.
     */
    public enum Choice {
        /** Exact float32 below {@link #HNSW_FROM_ROWS} rows, HNSW above. */
        AUTO,
        /** Exact float32 always: 2 KB a 512-D row, search time grows with the rows. */
        FLAT,
        /** Exact search over 8-bit rows: a quarter of the memory; from 1,000 rows (the quantiser learns from them). */
        SQ8,
        /** HNSW on float32 rows at every size. */
        HNSW,
        /** HNSW on 8-bit rows from {@link #HNSW_FROM_ROWS} rows (8-bit exact below): the least memory at scale. */
        HNSW_SQ8;

        /** Parses {@code auto}, {@code flat}, {@code sq8}, {@code hnsw} or {@code hnsw-sq8}. */
        public static Choice parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown watchlist index '" + name + "': use auto, flat, sq8, hnsw or hnsw-sq8");
            }
        }

        /** The layout a watchlist of {@code rows} live rows should have. */
        FaissIndex.Layout layoutFor(long rows) {
            boolean quantisable = rows >= FaissIndex.MIN_TRAINING_ROWS;
            return switch (this) {
                case AUTO -> rows >= HNSW_FROM_ROWS ? FaissIndex.Layout.HNSW : FaissIndex.Layout.FLAT;
                case FLAT -> FaissIndex.Layout.FLAT;
                case SQ8 -> quantisable ? FaissIndex.Layout.SQ8 : FaissIndex.Layout.FLAT;
                case HNSW -> FaissIndex.Layout.HNSW;
                case HNSW_SQ8 -> rows >= HNSW_FROM_ROWS ? FaissIndex.Layout.HNSW_SQ8
                        : quantisable ? FaissIndex.Layout.SQ8 : FaissIndex.Layout.FLAT;
            };
        }
    }

    private WatchlistIndexes() {}

    /**
     * The index a live watchlist keeps: on FAISS, one that answers at once and moves to the configured layout (or
     * rebuilds a graph full of tombstones) on {@code builds}, never on the caller's thread.
     */
    public static WatchlistIndex live(int dimension, Choice choice, Executor builds) {
        if (FaissIndex.nativeAvailable()) {
            return new BackgroundBuiltIndex(dimension, choice, builds);
        }
        return fallback(dimension);
    }

    /** An exact index (FAISS flat, or the Java fallback). */
    public static WatchlistIndex exact(int dimension) {
        if (FaissIndex.nativeAvailable()) {
            return FaissIndex.flat(dimension);
        }
        return fallback(dimension);
    }

    /**
     * Threads for background index builds: each runs FAISS on one core at a low priority (nice 10), so that a
     * build of a large graph does not take the cores the cameras' frames are matched on.
     */
    public static java.util.concurrent.ThreadFactory backgroundBuilds(String name) {
        return r -> {
            Thread t = new Thread(() -> {
                try {
                    FaissNative.yieldToOtherThreads(10);
                } catch (UnsatisfiedLinkError e) {
                    // no FAISS here: nothing to build in the background either
                }
                r.run();
            }, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** A new, empty FAISS index of {@code layout}, which leaves tombstones and its rebuilds to the caller. */
    static FaissIndex create(FaissIndex.Layout layout, int dimension) {
        FaissIndex index = switch (layout) {
            case FLAT -> FaissIndex.flat(dimension);
            case SQ8 -> FaissIndex.sq8(dimension);
            case HNSW, HNSW_SQ8 -> FaissIndex.hnsw(dimension, HNSW_M, HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH,
                    layout == FaissIndex.Layout.HNSW_SQ8);
        };
        return index.leaveRebuildsToOwner();
    }

    /** How many times this process fell back to the Java index. */
    public static long fallbacks() {
        return FALLBACKS.get();
    }

    private static WatchlistIndex fallback(int dimension) {
        FALLBACKS.incrementAndGet();
        LOG.warn("FAISS is unavailable ({}); using the exact Java index, which is far slower on large watchlists",
                FaissIndex.nativeLoadError());
        return new ExactJavaIndex(dimension);
    }
}
