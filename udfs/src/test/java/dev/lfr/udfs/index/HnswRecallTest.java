package dev.lfr.udfs.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * HNSW against exact search at 100k rows of 128-D. There are not 100k real faces in ../shared/data, so the rows are
 * built around real ones: 400 dlib descriptors of distinct LFW identities; each row is a random real descriptor plus
 * up to half of another one plus Gaussian noise (sigma 0.03 a component), normalised, so the rows fill the region of
 * descriptor space real faces occupy instead of the uniform sphere. Queries are fresh rows made the same way.
 */
class HnswRecallTest {
    private static final int ROWS = 100_000;

    @Test
    void recallAtOneAgainstExactIsAtLeast99PercentAndTombstonesNeverSurface() throws Exception {
        Indexes.requireFaiss();
        List<float[]> real = RealDescriptors.lfw("dlib-resnet-128", 400);
        Random r = new Random(11);
        try (FaissIndex hnsw = FaissIndex.hnsw(128, 32, 80, 96); WatchlistIndex exact = FaissIndex.flat(128)) {
            long[] ids = new long[ROWS];
            float[][] rows = new float[ROWS][];
            for (int i = 0; i < ROWS; i++) {
                ids[i] = i;
                rows[i] = RealDescriptors.aroundReal(real, r);
            }
            hnsw.upsertAll(ids, rows);
            exact.upsertAll(ids, rows);
            float[][] queries = new float[1000][];
            for (int q = 0; q < queries.length; q++) {
                queries[q] = RealDescriptors.aroundReal(real, r);
            }
            double recall = recallAt1(hnsw, exact, queries);
            System.out.printf("HNSW recall@1 at %d rows: %.4f%n", ROWS, recall);
            assertThat(recall).isGreaterThanOrEqualTo(0.99);

            // remove a fifth: tombstones pass a tenth, so the graph is rebuilt; removed ids must never come back
            Set<Long> removed = new HashSet<>();
            long[] fifth = new long[ROWS / 5];
            for (int i = 0; i < fifth.length; i++) {
                fifth[i] = 5L * i;
                removed.add(fifth[i]);
            }
            assertThat(hnsw.removeAll(fifth)).isEqualTo(fifth.length);
            assertThat(exact.removeAll(fifth)).isEqualTo(fifth.length);
            assertThat(hnsw.size()).isEqualTo(exact.size()).isEqualTo(ROWS - ROWS / 5);
            for (WatchlistIndex.Neighbours n : hnsw.search(queries, 10)) {
                for (long id : n.ids()) {
                    assertThat(removed).doesNotContain(id);
                }
            }
            assertThat(recallAt1(hnsw, exact, queries)).isGreaterThanOrEqualTo(0.99);
        }
    }

    static double recallAt1(WatchlistIndex approx, WatchlistIndex exact, float[][] queries) {
        WatchlistIndex.Neighbours[] a = approx.search(queries, 1);
        WatchlistIndex.Neighbours[] e = exact.search(queries, 1);
        int hits = 0;
        for (int q = 0; q < queries.length; q++) {
            hits += a[q].id(0) == e[q].id(0) ? 1 : 0;
        }
        return (double) hits / queries.length;
    }
}
