package dev.lfr.udfs.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The JNI shim itself: native errors become Java exceptions, and native memory is given back. */
class FaissNativeTest {
    @BeforeEach
    void faiss() {
        Indexes.requireFaiss();
    }

    @Test
    void faissErrorsBecomeIndexExceptions() {
        assertThatThrownBy(() -> FaissNative.create(16, "NoSuchIndexType", true)).isInstanceOf(IndexException.class);
        assertThatThrownBy(() -> FaissNative.deserialize(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))
                .isInstanceOf(IndexException.class);
        long h = FaissNative.create(4, "IDMap2,Flat", true);
        try {
            assertThatThrownBy(() -> FaissNative.reconstruct(h, new long[] {42})).isInstanceOf(IndexException.class);
            assertThatThrownBy(() -> FaissNative.addWithIds(h, new float[3], new long[] {1}))
                    .isInstanceOf(IndexException.class);
        } finally {
            FaissNative.free(h);
        }
    }

    /** Background builds run at nice 10, and the threads that search keep their priority. */
    @Test
    void backgroundBuildThreadsYieldToTheOthers() throws Exception {
        int[] nice = new int[1];
        Thread t = WatchlistIndexes.backgroundBuilds("test-build").newThread(() -> nice[0] = niceOfThisThread());
        t.start();
        t.join();
        assertThat(nice[0]).isEqualTo(10);
        assertThat(niceOfThisThread()).isZero();
    }

    /** Field 19 of /proc/thread-self/stat (after the command name, which may hold spaces, in parentheses). */
    private static int niceOfThisThread() {
        try {
            String stat = Files.readString(Path.of("/proc/thread-self/stat"));
            return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Opens and closes hundreds of 5 MB indexes: resident memory must not grow with them. */
    @Test
    void openingAndClosingManyIndexesDoesNotLeak() throws Exception {
        float[][] rows = Indexes.randomVectors(10_000, 128, 1);
        long[] ids = new long[rows.length];
        float[] flat = new float[rows.length * 128];
        for (int i = 0; i < rows.length; i++) {
            ids[i] = i;
            System.arraycopy(Vectors.checkedUnit(rows[i], 128), 0, flat, i * 128, 128);
        }
        Runnable cycle = () -> {
            long h = FaissNative.create(128, "IDMap2,Flat", true);
            FaissNative.addWithIds(h, flat, ids);
            FaissNative.free(h);
        };
        for (int i = 0; i < 30; i++) {
            cycle.run();
        }
        long before = residentKb();
        for (int i = 0; i < 300; i++) { // 300 x 5 MB = 1.5 GB if nothing were freed
            cycle.run();
        }
        long grown = residentKb() - before;
        System.out.printf("resident memory after 300 more indexes: %+d kB%n", grown);
        assertThat(grown).isLessThan(64 * 1024);
    }

    /**
     * Indexes whose arrays are big enough to be handed back slice by slice before they are freed (64 MB and more):
     * every layout the shim makes, populated, still answers until it is freed, and its memory is returned after.
     */
    @Test
    void largeIndexesAreHandedBackSliceBySliceAndFreed() throws Exception {
        int dim = 512;
        float[][] rows = Indexes.randomVectors(40_000, dim, 2); // 80 MB of codes
        long[] ids = new long[rows.length];
        float[] flat = new float[rows.length * dim];
        for (int i = 0; i < rows.length; i++) {
            ids[i] = i;
            System.arraycopy(Vectors.checkedUnit(rows[i], dim), 0, flat, i * dim, dim);
        }
        float[] graphRows = java.util.Arrays.copyOf(flat, 2_000 * dim); // a graph of 40,000 would take a minute
        long[] graphIds = java.util.Arrays.copyOf(ids, 2_000);
        float[] probe = java.util.Arrays.copyOfRange(flat, 7 * dim, 8 * dim);
        Runnable cycle = () -> {
            for (String layout : new String[] {"IDMap2,Flat", "IDMap2,SQ8", "IDMap2,HNSW32"}) {
                boolean graph = layout.contains("HNSW");
                long h = FaissNative.create(dim, layout, true);
                if (!FaissNative.isTrained(h)) {
                    FaissNative.train(h, graphRows);
                }
                // room for many more rows: the graph's link array and the id map pass 64 MB as well
                FaissNative.reserve(h, graph ? 300_000 : rows.length);
                FaissNative.addWithIds(h, graph ? graphRows : flat, graph ? graphIds : ids);
                float[] scores = new float[1];
                long[] labels = new long[1];
                FaissNative.search(h, probe, 1, 1, scores, labels);
                assertThat(labels[0]).as(layout + ": the row is its own best match").isEqualTo(7);
                FaissNative.free(h);
            }
        };
        cycle.run();
        long before = residentKb();
        for (int i = 0; i < 3; i++) { // 3 x about 300 MB if nothing were returned
            cycle.run();
        }
        long grown = residentKb() - before;
        System.out.printf("resident memory after three more rounds of large indexes: %+d kB%n", grown);
        assertThat(grown).isLessThan(64 * 1024);
    }

    private static long residentKb() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElseThrow();
    }
}
