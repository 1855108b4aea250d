package dev.lfr.udfs.index;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Exact inner-product search in plain Java: the oracle the FAISS index is tested against, and the fallback when the
 * native library cannot load. Rows are stored contiguously; a removal moves the last row into the gap. Queries are
 * scored a block of rows at a time, so each block is read from memory once for the whole batch.
 *
 * <p>Not thread-safe.
 */
public final class ExactJavaIndex implements WatchlistIndex {
    private static final int MAGIC = 0x4C46524A; // "LFRJ"
    private static final int BLOCK_ROWS = 256;

    private final int dimension;
    private final DotProduct dot = DotProduct.BEST;
    private final Map<Long, Integer> rowOf = new HashMap<>();
    private float[] data;
    private long[] ids;
    private int rows;

    public ExactJavaIndex(int dimension) {
        Vectors.checkDimension(dimension);
        this.dimension = dimension;
        this.data = new float[16 * dimension];
        this.ids = new long[16];
    }

    /** Which dot product runs: the Vector API or the scalar loop. */
    public String dotProduct() {
        return dot.name();
    }

    @Override
    public void upsert(long id, float[] vector) {
        float[] v = Vectors.checkedUnit(vector, dimension);
        Integer row = rowOf.get(id);
        if (row == null) {
            if (rows == ids.length) {
                ids = Arrays.copyOf(ids, rows * 2);
                data = Arrays.copyOf(data, rows * 2 * dimension);
            }
            row = rows++;
            ids[row] = id;
            rowOf.put(id, row);
        }
        System.arraycopy(v, 0, data, row * dimension, dimension);
    }

    @Override
    public boolean remove(long id) {
        Integer row = rowOf.remove(id);
        if (row == null) {
            return false;
        }
        int last = --rows;
        if (row != last) {
            System.arraycopy(data, last * dimension, data, row * dimension, dimension);
            ids[row] = ids[last];
            rowOf.put(ids[row], row);
        }
        return true;
    }

    @Override
    public Neighbours[] search(float[][] queries, int k) {
        Vectors.checkK(k);
        float[] q = Vectors.checkedUnitRows(queries, dimension);
        int nq = queries.length;
        TopK[] best = new TopK[nq];
        for (int i = 0; i < nq; i++) {
            best[i] = new TopK(Math.min(k, Math.max(rows, 1)));
        }
        for (int start = 0; start < rows; start += BLOCK_ROWS) {
            int end = Math.min(rows, start + BLOCK_ROWS);
            for (int i = 0; i < nq; i++) {
                for (int r = start; r < end; r++) {
                    best[i].offer(ids[r], dot.dot(q, i * dimension, data, r * dimension, dimension));
                }
            }
        }
        Neighbours[] out = new Neighbours[nq];
        for (int i = 0; i < nq; i++) {
            out[i] = best[i].result();
        }
        return out;
    }

    @Override
    public int size() {
        return rows;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public String kind() {
        return "java-exact";
    }

    /** magic, dimension, rows, then each row's id and vector; little-endian. */
    @Override
    public byte[] snapshot() {
        ByteBuffer b = ByteBuffer.allocate(12 + rows * (8 + 4 * dimension)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(dimension).putInt(rows);
        for (int r = 0; r < rows; r++) {
            b.putLong(ids[r]);
            for (int i = 0; i < dimension; i++) {
                b.putFloat(data[r * dimension + i]);
            }
        }
        return b.array();
    }

    @Override
    public void restore(byte[] snapshot) {
        ByteBuffer b = ByteBuffer.wrap(snapshot).order(ByteOrder.LITTLE_ENDIAN);
        if (snapshot.length < 12 || b.getInt() != MAGIC) {
            throw new IllegalArgumentException("not a java-exact snapshot");
        }
        int dim = b.getInt();
        int n = b.getInt();
        if (dim != dimension || n < 0 || b.remaining() != (long) n * (8 + 4 * dimension)) {
            throw new IllegalArgumentException("snapshot of a " + dim + "-D index with " + n + " rows does not fit a "
                    + dimension + "-D index or is truncated");
        }
        rowOf.clear();
        rows = 0;
        ids = new long[Math.max(16, n)];
        data = new float[Math.max(16, n) * dimension];
        float[] v = new float[dimension];
        for (int r = 0; r < n; r++) {
            long id = b.getLong();
            for (int i = 0; i < dimension; i++) {
                v[i] = b.getFloat();
            }
            upsert(id, v);
        }
    }

    /** Frees the rows; the index must not be used afterwards. */
    @Override
    public void close() {
        data = null;
        ids = null;
        rowOf.clear();
        rows = 0;
    }
}
