package dev.lfr.udfs.index;

/**
 * Nearest-neighbour search over watchlist descriptors. Vectors are L2-normalised on the way in (queries too) and
 * compared by inner product, so a score is the cosine similarity in [-1, 1], higher is closer, and a score threshold
 * {@code s} is the cosine-distance threshold {@code 1 - s} the embedders are calibrated with.
 *
 * <p>Contract for every implementation: a vector of the wrong dimension, with NaN or infinite values, or all zeros is
 * refused with {@link IllegalArgumentException}; upserting an existing id replaces its vector; removing an unknown
 * id returns false; {@code k <= 0} is refused; {@code k > size()} returns all {@code size()} rows. Results are sorted by
 * score, best first. Implementations are not thread-safe: a Flink subtask owns its index.
 */
public interface WatchlistIndex extends AutoCloseable {

    /** Adds the vector under {@code id}, replacing any vector the id had. */
    void upsert(long id, float[] vector);

    /** Removes {@code id}; false if it was not there. */
    boolean remove(long id);

    /**
     * Adds or replaces many vectors at once (a watchlist load); a later duplicate id in the batch wins. Implementations
     * with a per-call cost (native calls, graph builds) do it in one step.
     */
    default void upsertAll(long[] ids, float[][] vectors) {
        if (ids.length != vectors.length) {
            throw new IllegalArgumentException(ids.length + " ids for " + vectors.length + " vectors");
        }
        for (int i = 0; i < ids.length; i++) {
            upsert(ids[i], vectors[i]);
        }
    }

    /** Removes many ids at once; returns how many were there. */
    default int removeAll(long[] ids) {
        int removed = 0;
        for (long id : ids) {
            removed += remove(id) ? 1 : 0;
        }
        return removed;
    }

    /** The {@code k} best rows for each query. */
    Neighbours[] search(float[][] queries, int k);

    int size();

    /** Removed or replaced rows an index still holds (HNSW graphs cannot drop a node); 0 for exact indexes. */
    default long tombstones() {
        return 0;
    }

    /** Whether a replacement for this index is being built in the background (it keeps answering meanwhile). */
    default boolean rebuilding() {
        return false;
    }

    /** Whether an index with this many tombstones among its live rows is worth rebuilding: a thousand, and a tenth. */
    static boolean worthRebuilding(long tombstones, long liveRows) {
        return tombstones >= 1000 && tombstones * 10 > liveRows;
    }

    int dimension();

    /** A stable name for logs, metrics and benchmarks, such as {@code faiss-flat}, {@code faiss-hnsw}, {@code java-exact}. */
    String kind();

    /** The index's content in a compact form that {@link #restore} of the same kind of index accepts. */
    byte[] snapshot();

    /** Replaces this index's content with a snapshot taken from the same kind of index. */
    void restore(byte[] snapshot);

    @Override
    void close();

    /** The results of one query: ids and cosine similarities, best first. Immutable. */
    record Neighbours(long[] ids, float[] scores) {
        public Neighbours {
            ids = ids.clone();
            scores = scores.clone();
        }

        public int size() {
            return ids.length;
        }

        public long id(int rank) {
            return ids[rank];
        }

        public float score(int rank) {
            return scores[rank];
        }

        @Override
        public long[] ids() {
            return ids.clone();
        }

        @Override
        public float[] scores() {
            return scores.clone();
        }
    }
}
