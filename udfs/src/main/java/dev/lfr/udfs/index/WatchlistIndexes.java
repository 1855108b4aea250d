package dev.lfr.udfs.index;

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

    private WatchlistIndexes() {}

    /** An exact index (FAISS flat, or the Java fallback). */
    public static WatchlistIndex exact(int dimension) {
        if (FaissIndex.nativeAvailable()) {
            return FaissIndex.flat(dimension);
        }
        return fallback(dimension);
    }

    /** An index suited to {@code expectedRows}: exact below {@link #HNSW_FROM_ROWS}, HNSW (32 links) above. */
    public static WatchlistIndex forRows(int dimension, long expectedRows) {
        if (!FaissIndex.nativeAvailable()) {
            return fallback(dimension);
        }
        return expectedRows < HNSW_FROM_ROWS ? FaissIndex.flat(dimension) : FaissIndex.hnsw(dimension, 32, 80, 96);
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
