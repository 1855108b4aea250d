package dev.lfr.udfs.index;

import com.carrotsearch.hppc.LongLongHashMap;
import com.carrotsearch.hppc.cursors.LongLongCursor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * FAISS through our JNI shim, on L2-normalised vectors with inner product.
 *
 * <ul>
 *   <li>{@link #flat}: {@code IDMap2,Flat}, exact search; FAISS removes ids itself.</li>
 *   <li>{@link #sq8}: {@code IDMap2,SQ8}, exhaustive search over 8-bit scalar-quantised rows (a quarter of flat's
 *   memory); the quantiser learns each component's range from the first batch, which must hold
 *   {@link #MIN_TRAINING_ROWS} rows or more.</li>
 *   <li>{@link #hnsw}: {@code IDMap2,HNSW<m>} (or {@code HNSW<m>_SQ8} on quantised rows), approximate search for large
 *   galleries. HNSW cannot remove, so each vector gets an internal label; removing or replacing an id leaves a
 *   tombstone that searches skip (they ask FAISS for k plus the number of tombstones). Unless
 *   {@link #leaveRebuildsToOwner()} was called, the graph is rebuilt from the live vectors once tombstones pass a
 *   tenth of the rows.</li>
 * </ul>
 *
 * <p>Owns native memory: {@link #close()} frees it. Not thread-safe.
 */
public final class FaissIndex implements WatchlistIndex {
    private static final int MAGIC = 0x4C465246; // "LFRF"
    private static final int ROWS_PER_NATIVE_CALL = 65_536;

    /** Fewest rows a scalar quantiser learns its ranges from. */
    public static final int MIN_TRAINING_ROWS = 1000;

    /** The FAISS layouts this class offers; the order is part of the snapshot format. */
    public enum Layout {
        FLAT("faiss-flat"), HNSW("faiss-hnsw"), SQ8("faiss-sq8"), HNSW_SQ8("faiss-hnsw-sq8");

        private final String kind;

        Layout(String kind) {
            this.kind = kind;
        }

        boolean graph() {
            return this == HNSW || this == HNSW_SQ8;
        }

        boolean quantised() {
            return this == SQ8 || this == HNSW_SQ8;
        }
    }

    private final int dimension;
    private final Layout layout;
    private final boolean hnsw;
    // removals leave tombstones (labels decoupled from ids) instead of FAISS's remove_ids, which moves the whole
    // array of a flat index: always for graphs, which cannot remove; for exact layouts when an owner rebuilds
    private boolean tombstoning;
    private boolean rebuildsItself = true;
    private final int m;
    private final int efConstruction;
    private int efSearch;
    private long handle;
    // every live id and its FAISS label (the id itself for flat); HNSW also needs label -> id and the next label
    // primitive maps: a million boxed entries would be millions of objects for every young collection to copy
    private final LongLongHashMap labelOf = new LongLongHashMap();
    private final LongLongHashMap idOf = new LongLongHashMap();
    private long nextLabel;
    private long reservedRows;

    private FaissIndex(int dimension, Layout layout, int m, int efConstruction, int efSearch) {
        Vectors.checkDimension(dimension);
        requireNative();
        this.dimension = dimension;
        this.layout = layout;
        this.hnsw = layout.graph();
        this.tombstoning = hnsw;
        this.m = m;
        this.efConstruction = efConstruction;
        this.efSearch = efSearch;
        this.handle = newNativeIndex();
    }

    /** Exact search (brute force, BLAS for batches of 20 or more queries). */
    public static FaissIndex flat(int dimension) {
        return new FaissIndex(dimension, Layout.FLAT, 0, 0, 0);
    }

    /** Exhaustive search over 8-bit scalar-quantised rows: a quarter of {@link #flat}'s memory, scores a little off. */
    public static FaissIndex sq8(int dimension) {
        return new FaissIndex(dimension, Layout.SQ8, 0, 0, 0);
    }

    /**
     * Approximate search on an HNSW graph.
     *
     * @param m              links per node (more: better recall, more memory)
     * @param efConstruction build-time breadth
     * @param efSearch       query-time breadth (more: better recall, slower)
     */
    public static FaissIndex hnsw(int dimension, int m, int efConstruction, int efSearch) {
        return hnsw(dimension, m, efConstruction, efSearch, false);
    }

    /** HNSW, on 8-bit scalar-quantised rows when {@code quantised} (see {@link #sq8}). */
    public static FaissIndex hnsw(int dimension, int m, int efConstruction, int efSearch, boolean quantised) {
        if (m < 4 || efConstruction < 1 || efSearch < 1) {
            throw new IllegalArgumentException("HNSW needs m >= 4 and positive ef values");
        }
        return new FaissIndex(dimension, quantised ? Layout.HNSW_SQ8 : Layout.HNSW, m, efConstruction, efSearch);
    }

    /**
     * The owner watches {@link #tombstones()} and replaces the index with one built elsewhere (in the background),
     * so this index never stalls its caller to rebuild itself. Exact layouts then also leave tombstones: a removal
     * costs a map update instead of moving every row after it. Call before the first upsert.
     */
    public FaissIndex leaveRebuildsToOwner() {
        if (!labelOf.isEmpty()) {
            throw new IllegalStateException("choose who rebuilds before the first upsert");
        }
        rebuildsItself = false;
        tombstoning = true;
        return this;
    }

    /** HNSW's query-time breadth, changeable between searches (more: better recall, slower). No-op for flat. */
    public void setEfSearch(int ef) {
        if (ef < 1) {
            throw new IllegalArgumentException("efSearch must be positive");
        }
        efSearch = ef;
        FaissNative.setHnswEfSearch(handle(), ef);
    }

    /** True when the native library loaded; otherwise {@link #nativeLoadError()} says why. */
    public static boolean nativeAvailable() {
        return FaissNative.available();
    }

    public static String nativeLoadError() {
        return FaissNative.loadError();
    }

    /**
     * Threads FAISS may use in this process (OpenMP, and OpenBLAS for batched exact search). A Flink subtask should
     * use 1 and scale by parallelism: on two cores FAISS's spinning OpenMP threads fought the JVM's and a batch of 64
     * queries took 13x longer with two threads than with one.
     */
    public static void setThreads(int threads) {
        requireNative();
        FaissNative.setThreads(threads);
    }

    private static void requireNative() {
        if (!FaissNative.available()) {
            throw new IndexException(FaissNative.loadError());
        }
    }

    private long newNativeIndex() {
        String description = switch (layout) {
            case FLAT -> "IDMap2,Flat";
            case SQ8 -> "IDMap2,SQ8";
            case HNSW -> "IDMap2,HNSW" + m;
            case HNSW_SQ8 -> "IDMap2,HNSW" + m + "_SQ8";
        };
        long h = FaissNative.create(dimension, description, true);
        if (hnsw) {
            FaissNative.setHnswEfConstruction(h, efConstruction);
            FaissNative.setHnswEfSearch(h, efSearch);
        }
        return h;
    }

    private long handle() {
        if (handle == 0) {
            throw new IllegalStateException("the index is closed");
        }
        return handle;
    }

    @Override
    public void upsert(long id, float[] vector) {
        upsertAll(new long[] {id}, new float[][] {vector});
    }

    @Override
    public void upsertAll(long[] ids, float[][] vectors) {
        if (ids.length != vectors.length) {
            throw new IllegalArgumentException(ids.length + " ids for " + vectors.length + " vectors");
        }
        // checked before anything changes, so a bad vector leaves the index as it was; later duplicates win
        Map<Long, float[]> batch = new LinkedHashMap<>();
        for (int i = 0; i < ids.length; i++) {
            batch.put(ids[i], Vectors.checkedUnit(vectors[i], dimension));
        }
        if (batch.isEmpty()) {
            return;
        }
        long[] replaced = batch.keySet().stream().filter(labelOf::containsKey).mapToLong(Long::longValue).toArray();
        if (layout.quantised() && !FaissNative.isTrained(handle())) {
            train(batch.values());
        }
        dropLabels(replaced);
        List<Map.Entry<Long, float[]>> entries = new ArrayList<>(batch.entrySet());
        // in slices, so a million-row load never needs one multi-gigabyte array (nor a JNI copy of one)
        for (int from = 0; from < entries.size(); from += ROWS_PER_NATIVE_CALL) {
            List<Map.Entry<Long, float[]>> slice = entries.subList(from, Math.min(entries.size(), from + ROWS_PER_NATIVE_CALL));
            float[] rows = new float[slice.size() * dimension];
            long[] labels = new long[slice.size()];
            for (int i = 0; i < slice.size(); i++) {
                Map.Entry<Long, float[]> e = slice.get(i);
                System.arraycopy(e.getValue(), 0, rows, i * dimension, dimension);
                labels[i] = tombstoning ? nextLabel++ : e.getKey();
                labelOf.put(e.getKey(), labels[i]);
                if (tombstoning) {
                    idOf.put(labels[i], e.getKey());
                }
            }
            FaissNative.addWithIds(handle(), rows, labels);
        }
        rebuildIfManyTombstones();
    }

    /** Learns the quantiser's ranges from (a sample of at most 100k of) the first batch. */
    private void train(Collection<float[]> vectors) {
        if (vectors.size() < MIN_TRAINING_ROWS) {
            throw new IllegalArgumentException(kind() + " learns its quantiser from the first batch, which needs "
                    + MIN_TRAINING_ROWS + " rows or more, not " + vectors.size());
        }
        int n = Math.min(vectors.size(), 100_000);
        float[] rows = new float[n * dimension];
        int i = 0;
        for (float[] v : vectors) {
            if (i == n) {
                break;
            }
            System.arraycopy(v, 0, rows, i++ * dimension, dimension);
        }
        FaissNative.train(handle(), rows);
    }

    @Override
    public boolean remove(long id) {
        return removeAll(new long[] {id}) == 1;
    }

    @Override
    public int removeAll(long[] ids) {
        long[] present = java.util.Arrays.stream(ids).distinct().filter(labelOf::containsKey).toArray();
        dropLabels(present);
        rebuildIfManyTombstones();
        return present.length;
    }

    /** Forgets the ids: FAISS removes them from a flat index; in HNSW their vectors stay behind as tombstones. */
    private void dropLabels(long[] ids) {
        if (ids.length == 0) {
            return;
        }
        for (long id : ids) {
            long label = labelOf.remove(id);
            if (tombstoning) {
                idOf.remove(label);
            }
        }
        if (!tombstoning) {
            FaissNative.removeIds(handle(), ids);
        }
    }

    @Override
    public Neighbours[] search(float[][] queries, int k) {
        Vectors.checkK(k);
        float[] q = Vectors.checkedUnitRows(queries, dimension);
        int keep = Math.min(k, size());
        long stored = FaissNative.count(handle());
        // tombstones (HNSW) can take some of FAISS's top results: ask for a margin, and widen only if it was not enough
        long want = Math.min(stored, keep + Math.min(tombstones(), keep + 16L));
        while (true) {
            Neighbours[] out = searchOnce(q, queries.length, (int) Math.max(1, want), keep);
            boolean complete = java.util.Arrays.stream(out).allMatch(n -> n.size() == keep);
            if (complete || want >= stored) {
                return out;
            }
            want = Math.min(stored, want * 4);
        }
    }

    private Neighbours[] searchOnce(float[] q, int nq, int want, int keep) {
        float[] scores = new float[nq * want];
        long[] labels = new long[nq * want];
        if (nq > 0 && keep > 0) {
            FaissNative.search(handle(), q, nq, want, scores, labels);
        }
        Neighbours[] out = new Neighbours[nq];
        for (int i = 0; i < nq; i++) {
            long[] ids = new long[keep];
            float[] s = new float[keep];
            int n = 0;
            for (int j = 0; j < want && n < keep; j++) {
                long label = labels[i * want + j];
                long id = label < 0 ? -1 : tombstoning ? idOf.getOrDefault(label, -1) : label;
                if (id >= 0) {
                    ids[n] = id;
                    s[n++] = scores[i * want + j];
                }
            }
            out[i] = new Neighbours(java.util.Arrays.copyOf(ids, n), java.util.Arrays.copyOf(s, n));
        }
        return out;
    }

    @Override
    public long tombstones() {
        return tombstoning ? FaissNative.count(handle()) - labelOf.size() : 0;
    }

    private void rebuildIfManyTombstones() {
        if (rebuildsItself && WatchlistIndex.worthRebuilding(tombstones(), labelOf.size())) {
            rebuild();
        }
    }

    /** A fresh graph over the live vectors, read back from the old one. */
    void rebuild() {
        long[] ids = labelOf.keys().toArray();
        long[] oldLabels = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            oldLabels[i] = labelOf.get(ids[i]);
        }
        float[] vectors = ids.length == 0 ? new float[0] : FaissNative.reconstruct(handle(), oldLabels);
        long fresh = newNativeIndex();
        if (layout.quantised() && ids.length > 0) {
            FaissNative.train(fresh, vectors); // the old ranges, learnt again from what is live now
        }
        labelOf.clear();
        idOf.clear();
        nextLabel = 0;
        long[] labels = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            labels[i] = nextLabel++;
            labelOf.put(ids[i], labels[i]);
            idOf.put(labels[i], ids[i]);
        }
        if (ids.length > 0) {
            FaissNative.addWithIds(fresh, vectors, labels);
        }
        FaissNative.free(handle);
        handle = fresh;
        reservedRows = 0; // a fresh native index, grown on demand again
    }

    @Override
    public int size() {
        handle();
        return labelOf.size();
    }

    /**
     * Makes room for {@code rows} stored vectors (live and tombstones), so that adds up to then never grow an array:
     * past its capacity every array an add appends to (FAISS's codes, graph links and id maps, our label maps) is
     * copied whole, which on a million-row index holds the adding thread for seconds. Costs address space, and
     * memory only as rows arrive.
     */
    public void reserve(long rows) {
        FaissNative.reserve(handle(), rows);
        int maps = (int) Math.min(Integer.MAX_VALUE - 8, rows);
        labelOf.ensureCapacity(maps);
        if (tombstoning) {
            idOf.ensureCapacity(maps);
        }
        reservedRows = Math.max(reservedRows, rows);
    }

    /** Vectors that can still be added (tombstones count) before an array must grow: 0 unless reserved. */
    public long room() {
        return Math.max(0, reservedRows - FaissNative.count(handle()));
    }

    @Override
    public int dimension() {
        return dimension;
    }

    private int layoutCode() {
        return layout.ordinal() + (tombstoning && !hnsw ? 256 : 0);
    }

    Layout layout() {
        return layout;
    }

    @Override
    public String kind() {
        return layout.kind;
    }

    /**
     * magic, layout (plus 256 when tombstoning), dimension, next label, the id/label pairs, then FAISS's own
     * serialisation; little-endian.
     */
    @Override
    public byte[] snapshot() {
        byte[] faiss = FaissNative.serialize(handle());
        ByteBuffer b = ByteBuffer.allocate(24 + 16 * labelOf.size() + faiss.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(layoutCode()).putInt(dimension).putLong(nextLabel).putInt(labelOf.size());
        for (LongLongCursor e : labelOf) {
            b.putLong(e.key).putLong(e.value);
        }
        b.put(faiss);
        return b.array();
    }

    @Override
    public void restore(byte[] snapshot) {
        ByteBuffer b = ByteBuffer.wrap(snapshot).order(ByteOrder.LITTLE_ENDIAN);
        if (snapshot.length < 24 || b.getInt() != MAGIC || b.getInt() != layoutCode() || b.getInt() != dimension) {
            throw new IllegalArgumentException("not a " + kind() + " snapshot of a " + dimension + "-D index");
        }
        long next = b.getLong();
        int pairs = b.getInt();
        if (pairs < 0 || b.remaining() < 16L * pairs) {
            throw new IllegalArgumentException("truncated " + kind() + " snapshot");
        }
        LongLongHashMap labels = new LongLongHashMap(pairs);
        for (int i = 0; i < pairs; i++) {
            labels.put(b.getLong(), b.getLong());
        }
        byte[] faiss = new byte[b.remaining()];
        b.get(faiss);
        long restored = FaissNative.deserialize(faiss);
        if (hnsw) {
            FaissNative.setHnswEfSearch(restored, efSearch);
        }
        FaissNative.free(handle());
        handle = restored;
        reservedRows = 0;
        labelOf.clear();
        idOf.clear();
        labelOf.putAll(labels);
        if (tombstoning) {
            for (LongLongCursor e : labels) {
                idOf.put(e.value, e.key);
            }
        }
        nextLabel = next;
    }

    @Override
    public void close() {
        if (handle != 0) {
            FaissNative.free(handle);
            handle = 0;
        }
    }
}
