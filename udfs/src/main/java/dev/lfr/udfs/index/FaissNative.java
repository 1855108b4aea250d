package dev.lfr.udfs.index;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The JNI shim over Debian's FAISS ({@code src/main/native/faiss_jni.cpp}), built by the Maven build and shipped
 * inside the jar. Handles are {@code faiss::Index*}; every native error arrives as {@link IndexException}.
 * Loading is attempted once; {@link #available()} says whether it worked and {@link #loadError()} why not.
 */
final class FaissNative {
    private static final String RESOURCE = "/native/linux-x86_64/libfaiss_jni.so";
    private static final String ERROR = load();

    private FaissNative() {}

    static boolean available() {
        return ERROR == null;
    }

    static String loadError() {
        return ERROR;
    }

    private static String load() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")
                || !System.getProperty("os.arch", "").matches("amd64|x86_64")) {
            return "the FAISS shim is built for linux-x86_64 only";
        }
        try (InputStream in = FaissNative.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return RESOURCE + " is not in the jar (the build found no libfaiss-dev; run scripts/bootstrap.sh and rebuild)";
            }
            Path tmp = Files.createTempFile("lfr-faiss-jni", ".so");
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            System.load(tmp.toAbsolutePath().toString());
            // Debian's FAISS is built without AVX2, so its per-row distance loop is slow (10k x 128, one query:
            // 730 us); BLAS from the first query instead of from 20 made that 97 us and left big batches unchanged
            setBlasThreshold(1);
            return null;
        } catch (IOException | UnsatisfiedLinkError e) {
            return "cannot load the FAISS shim: " + e.getMessage();
        }
    }

    /** {@code faiss::index_factory(dimension, description, metric)}. */
    static native long create(int dimension, String description, boolean innerProduct);

    static native void free(long handle);

    static native void addWithIds(long handle, float[] rows, long[] ids);

    /** Trains an index that needs it (scalar quantisers learn each component's range) on row-major rows. */
    static native void train(long handle, float[] rows);

    static native boolean isTrained(long handle);

    static native long removeIds(long handle, long[] ids);

    /** Writes {@code nq * k} scores and labels; a label of -1 marks a missing result. */
    static native void search(long handle, float[] queries, int nq, int k, float[] scores, long[] labels);

    static native long count(long handle);

    /** Room for {@code rows} vectors in every array an add appends to, so adds up to then never reallocate. */
    static native void reserve(long handle, long rows);

    /** The stored vectors of {@code ids}, row after row. */
    static native float[] reconstruct(long handle, long[] ids);

    static native byte[] serialize(long handle);

    static native long deserialize(byte[] bytes);

    /** HNSW's search breadth; ignored by other index types. */
    static native void setHnswEfSearch(long handle, int efSearch);

    /** HNSW's build breadth, set before adding; ignored by other index types. */
    static native void setHnswEfConstruction(long handle, int efConstruction);

    /** Exact search hands batches of at least this many queries to BLAS (FAISS's default is 20). */
    static native void setBlasThreshold(int queries);

    /**
     * Makes the calling thread a background one: FAISS work it starts runs on it alone (one OpenMP thread), at the
     * given nice value (0 to 19, higher yields more).
     *
     * @return whether the priority could be set (the thread count always is)
     */
    static native boolean yieldToOtherThreads(int nice);

    /** Threads FAISS may use, process-wide: OpenMP's and, when the BLAS is OpenBLAS, OpenBLAS's. */
    static native void setThreads(int threads);
}
