package dev.lfr.udfs.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * 8-bit scalar quantisation (a quarter of flat's memory) on 512-D descriptors: it keeps the index contract once
 * trained, and on rows built around real LFW faces (as in {@link HnswRecallTest}) it finds the exact search's best
 * row, or a near-twin of it, with scores close enough that the deployment threshold means what it meant.
 */
class ScalarQuantisedIndexTest {
    private static final int DIM = 512;
    private static final int ROWS = 100_000;

    @Test
    void learnsFromTheFirstBatchThenUpsertsRemovesAndRestores() {
        Indexes.requireFaiss();
        try (FaissIndex index = FaissIndex.sq8(DIM); FaissIndex restored = FaissIndex.sq8(DIM)) {
            assertThatThrownBy(() -> index.upsert(1, Indexes.randomVectors(1, DIM, 1)[0]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1000 rows or more");
            float[][] rows = Indexes.randomVectors(2000, DIM, 2);
            long[] ids = new long[rows.length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = i;
            }
            index.upsertAll(ids, rows);
            index.upsert(5000, rows[7]); // trained now: single upserts are fine
            assertThat(index.remove(7)).isTrue();
            assertThat(index.search(new float[][] {rows[7]}, 1)[0].id(0)).isEqualTo(5000);
            assertThat(index.size()).isEqualTo(2000);
            restored.restore(index.snapshot());
            assertThat(restored.search(new float[][] {rows[9]}, 1)[0].id(0)).isEqualTo(9);
            assertThat(restored.kind()).isEqualTo("faiss-sq8");
        }
    }

    @Test
    void findsTheExactBestRowOrANearTwinOnRealDescriptorsWithScoresWithinHalfAHundredth() throws Exception {
        Indexes.requireFaiss();
        List<float[]> real = RealDescriptors.lfw("fr-feature-512", 400);
        Random r = new Random(13);
        long[] ids = new long[ROWS];
        float[][] rows = new float[ROWS][];
        for (int i = 0; i < ROWS; i++) {
            ids[i] = i;
            rows[i] = RealDescriptors.aroundReal(real, r);
        }
        float[][] queries = new float[1000][];
        for (int q = 0; q < queries.length; q++) {
            queries[q] = RealDescriptors.aroundReal(real, r);
        }
        try (WatchlistIndex exact = FaissIndex.flat(DIM); WatchlistIndex sq8 = FaissIndex.sq8(DIM)) {
            exact.upsertAll(ids, rows);
            sq8.upsertAll(ids, rows);
            double recall = HnswRecallTest.recallAt1(sq8, exact, queries);
            WatchlistIndex.Neighbours[] e = exact.search(queries, 1);
            WatchlistIndex.Neighbours[] a = sq8.search(queries, 1);
            double worstError = 0;
            double worstMiss = 0;
            for (int q = 0; q < queries.length; q++) {
                if (a[q].id(0) == e[q].id(0)) {
                    worstError = Math.max(worstError, Math.abs(a[q].score(0) - e[q].score(0)));
                } else { // how much worse, exactly, the row it chose is than the best one
                    float chosen = cosine(queries[q], rows[(int) a[q].id(0)]);
                    worstMiss = Math.max(worstMiss, e[q].score(0) - chosen);
                }
            }
            System.out.printf("SQ8 at %d x %d: recall@1 %.4f, largest score error %.4f, largest shortfall of a miss %.4f%n",
                    ROWS, DIM, recall, worstError, worstMiss);
            // rows built around 400 faces hold many near-twins: a miss must be one of those, never a different face
            assertThat(recall).isGreaterThanOrEqualTo(0.97);
            assertThat(worstError).isLessThan(0.005);
            assertThat(worstMiss).isLessThan(0.005);
        }
    }

    private static float cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return (float) (dot / Math.sqrt(na * nb));
    }
}
