package dev.lfr.udfs.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A careless first load must not leave a watchlist on an index that refuses everything after it. */
class BackgroundBuiltIndexTest {
    private static long[] ids(int n) {
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i;
        }
        return ids;
    }

    @Test
    void aRefusedFirstLoadLeavesAnIndexThatStillTakesUpserts() {
        Indexes.requireFaiss();
        try (BackgroundBuiltIndex index = new BackgroundBuiltIndex(16, WatchlistIndexes.Choice.SQ8, Runnable::run)) {
            float[][] rows = Indexes.randomVectors(1500, 16, 1);
            rows[700][3] = Float.NaN;
            assertThatThrownBy(() -> index.upsertAll(ids(1500), rows)).isInstanceOf(IllegalArgumentException.class);
            assertThat(index.size()).isZero();
            index.upsert(1, Indexes.randomVectors(1, 16, 2)[0]);
            assertThat(index.size()).isEqualTo(1);
            assertThat(index.kind()).isEqualTo("faiss-flat");
        }
    }

    @Test
    void aFirstLoadOfFewDistinctIdsIsNotQuantised() {
        Indexes.requireFaiss();
        try (BackgroundBuiltIndex index = new BackgroundBuiltIndex(16, WatchlistIndexes.Choice.SQ8, Runnable::run)) {
            long[] ids = new long[1500]; // 1,500 updates of 10 subjects: too few rows to learn a quantiser from
            for (int i = 0; i < ids.length; i++) {
                ids[i] = i % 10;
            }
            index.upsertAll(ids, Indexes.randomVectors(1500, 16, 3));
            assertThat(index.size()).isEqualTo(10);
            assertThat(index.kind()).isEqualTo("faiss-flat");
        }
    }
}
