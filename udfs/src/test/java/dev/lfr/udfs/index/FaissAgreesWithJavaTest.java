package dev.lfr.udfs.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** FAISS flat and the exact Java index return the same neighbours: on random vectors, on real face descriptors, and
 * after upserts, removes and a snapshot round trip. */
class FaissAgreesWithJavaTest {

    @ParameterizedTest
    @ValueSource(ints = {128, 512})
    void randomVectorsThroughUpsertsRemovesAndSnapshots(int dimension) {
        Indexes.requireFaiss();
        float[][] rows = Indexes.randomVectors(3000, dimension, dimension);
        float[][] queries = Indexes.randomVectors(64, dimension, dimension + 1);
        try (WatchlistIndex faiss = FaissIndex.flat(dimension); WatchlistIndex java = new ExactJavaIndex(dimension)) {
            for (int i = 0; i < rows.length; i++) {
                faiss.upsert(i, rows[i]);
                java.upsert(i, rows[i]);
            }
            assertAgree(faiss, java, queries, 10);
            Random r = new Random(9);
            float[][] replacements = Indexes.randomVectors(400, dimension, 77);
            for (int i = 0; i < 400; i++) {
                long id = r.nextInt(3000);
                faiss.remove(id);
                java.remove(id);
                long other = r.nextInt(3500); // some replace, some are new ids
                faiss.upsert(other, replacements[i]);
                java.upsert(other, replacements[i]);
            }
            assertThat(faiss.size()).isEqualTo(java.size());
            assertAgree(faiss, java, queries, 10);
            try (WatchlistIndex restored = FaissIndex.flat(dimension)) {
                restored.restore(faiss.snapshot());
                assertAgree(restored, java, queries, 10);
            }
        }
    }

    @Test
    void realFaceDescriptors() throws Exception {
        Indexes.requireFaiss();
        List<float[]> faces = RealDescriptors.lfw("fr-feature-512", 240);
        assertThat(faces).hasSizeGreaterThan(200);
        float[][] queries = faces.subList(0, 40).toArray(float[][]::new);
        try (WatchlistIndex faiss = FaissIndex.flat(512); WatchlistIndex java = new ExactJavaIndex(512)) {
            for (int i = 40; i < faces.size(); i++) {
                faiss.upsert(i, faces.get(i));
                java.upsert(i, faces.get(i));
            }
            assertAgree(faiss, java, queries, 5);
            for (int i = 40; i < faces.size(); i += 3) {
                faiss.remove(i);
                java.remove(i);
            }
            assertAgree(faiss, java, queries, 5);
        }
    }

    static void assertAgree(WatchlistIndex a, WatchlistIndex b, float[][] queries, int k) {
        WatchlistIndex.Neighbours[] x = a.search(queries, k);
        WatchlistIndex.Neighbours[] y = b.search(queries, k);
        for (int q = 0; q < queries.length; q++) {
            assertThat(x[q].ids()).as("query %d", q).containsExactly(y[q].ids());
            for (int i = 0; i < x[q].size(); i++) {
                assertThat(x[q].score(i)).isCloseTo(y[q].score(i), offset(1e-5f));
            }
        }
    }
}
