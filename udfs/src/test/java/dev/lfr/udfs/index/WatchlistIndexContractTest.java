package dev.lfr.udfs.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@link WatchlistIndex} contract, for every implementation. */
class WatchlistIndexContractTest {

    @ParameterizedTest
    @ValueSource(strings = {"java-exact", "faiss-flat", "faiss-hnsw"})
    void badInputIsRefusedWithTypedErrors(String kind) {
        try (WatchlistIndex index = Indexes.create(kind, 8)) {
            index.upsert(1, new float[] {1, 0, 0, 0, 0, 0, 0, 0});
            assertThatThrownBy(() -> index.upsert(2, new float[7])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("8-D");
            assertThatThrownBy(() -> index.upsert(2, new float[] {1, Float.NaN, 0, 0, 0, 0, 0, 0}))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
            assertThatThrownBy(() -> index.upsert(2, new float[] {1, Float.POSITIVE_INFINITY, 0, 0, 0, 0, 0, 0}))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> index.upsert(2, new float[8])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("zeros");
            assertThatThrownBy(() -> index.search(new float[][] {new float[9]}, 1))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> index.search(new float[][] {{1, 0, 0, 0, 0, 0, 0, 0}}, 0))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(index.size()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"java-exact", "faiss-flat", "faiss-hnsw"})
    void upsertReplacesRemoveReportsAndKIsCappedBySize(String kind) {
        try (WatchlistIndex index = Indexes.create(kind, 4)) {
            assertThat(index.search(new float[][] {{1, 0, 0, 0}}, 3)[0].size()).isZero();
            index.upsert(7, new float[] {1, 0, 0, 0});
            index.upsert(8, new float[] {0, 2, 0, 0}); // normalised on the way in
            index.upsert(7, new float[] {0, 0, 1, 0}); // replaces id 7
            assertThat(index.size()).isEqualTo(2);
            WatchlistIndex.Neighbours n = index.search(new float[][] {{0, 0, 3, 0}}, 5)[0];
            assertThat(n.size()).isEqualTo(2);
            assertThat(n.id(0)).isEqualTo(7);
            assertThat(n.score(0)).isCloseTo(1f, offset(1e-6f));
            assertThat(n.score(1)).isCloseTo(0f, offset(1e-6f));
            assertThat(index.remove(99)).isFalse();
            assertThat(index.remove(7)).isTrue();
            assertThat(index.remove(7)).isFalse();
            assertThat(index.size()).isEqualTo(1);
            assertThat(index.search(new float[][] {{0, 0, 1, 0}}, 5)[0].ids()).containsExactly(8);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"java-exact", "faiss-flat", "faiss-hnsw"})
    void snapshotRestoresTheSameResultsAndRefusesForeignBytes(String kind) {
        float[][] rows = Indexes.randomVectors(300, 16, 5);
        float[][] queries = Indexes.randomVectors(20, 16, 6);
        try (WatchlistIndex index = Indexes.create(kind, 16); WatchlistIndex copy = Indexes.create(kind, 16)) {
            for (int i = 0; i < rows.length; i++) {
                index.upsert(1000 + i, rows[i]);
            }
            for (int i = 0; i < 50; i++) {
                index.remove(1000 + 2 * i);
            }
            copy.restore(index.snapshot());
            assertThat(copy.size()).isEqualTo(250);
            WatchlistIndex.Neighbours[] a = index.search(queries, 5);
            WatchlistIndex.Neighbours[] b = copy.search(queries, 5);
            for (int q = 0; q < queries.length; q++) {
                assertThat(b[q].ids()).containsExactly(a[q].ids());
            }
            assertThatThrownBy(() -> copy.restore(new byte[] {1, 2, 3})).isInstanceOf(IllegalArgumentException.class);
            try (WatchlistIndex other = Indexes.create(kind, 8)) {
                assertThatThrownBy(() -> other.restore(index.snapshot())).isInstanceOf(IllegalArgumentException.class);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"java-exact", "faiss-flat", "faiss-hnsw"})
    void batchUpsertIsAllOrNothingAndLaterDuplicatesWin(String kind) {
        try (WatchlistIndex index = Indexes.create(kind, 4)) {
            index.upsertAll(new long[] {1, 2, 1}, new float[][] {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}});
            assertThat(index.size()).isEqualTo(2);
            assertThat(index.search(new float[][] {{0, 0, 1, 0}}, 1)[0].ids()).containsExactly(1);
            assertThat(index.removeAll(new long[] {2, 2, 3})).isEqualTo(1);
            assertThat(index.size()).isEqualTo(1);
            if (!kind.equals("java-exact")) { // the default loop stops at the bad vector; FAISS checks first
                assertThatThrownBy(() -> index.upsertAll(new long[] {5, 6}, new float[][] {{1, 0, 0, 0}, {Float.NaN, 0, 0, 0}}))
                        .isInstanceOf(IllegalArgumentException.class);
                assertThat(index.size()).isEqualTo(1);
            }
        }
    }

    /** For HNSW the 300 removed rows stay as tombstones (too few to rebuild), crowding the query's top results. */
    @ParameterizedTest
    @ValueSource(strings = {"java-exact", "faiss-flat", "faiss-hnsw"})
    void removingAQuerysNearestRowsLeavesTheNextOnes(String kind) {
        float[][] rows = Indexes.randomVectors(2000, 16, 21);
        float[][] query = {rows[0]};
        long[] ids = new long[rows.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        try (WatchlistIndex index = Indexes.create(kind, 16); ExactJavaIndex oracle = new ExactJavaIndex(16)) {
            index.upsertAll(ids, rows);
            oracle.upsertAll(ids, rows);
            long[] nearest = oracle.search(query, 300)[0].ids();
            assertThat(index.removeAll(nearest)).isEqualTo(300);
            oracle.removeAll(nearest);
            assertThat(index.search(query, 5)[0].ids()).containsExactly(oracle.search(query, 5)[0].ids());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"faiss-flat", "faiss-hnsw"})
    void closedNativeIndexRefusesUseInsteadOfCrashing(String kind) {
        WatchlistIndex index = Indexes.create(kind, 4);
        index.close();
        index.close(); // idempotent
        assertThatThrownBy(() -> index.upsert(1, new float[] {1, 0, 0, 0})).isInstanceOf(IllegalStateException.class);
    }
}
