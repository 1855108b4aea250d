package dev.lfr.udfs.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * A careless first load must not leave a watchlist on an index that refuses everything after it; a growing watchlist
 * never makes its caller wait for an array to grow.
 */
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

    @Test
    void reservedRoomIsUsedByEveryAddTombstonesIncluded() {
        Indexes.requireFaiss();
        try (FaissIndex index = WatchlistIndexes.create(FaissIndex.Layout.FLAT, 16)) {
            assertThat(index.room()).isZero();
            index.reserve(100);
            assertThat(index.room()).isEqualTo(100);
            index.upsertAll(ids(30), Indexes.randomVectors(30, 16, 6));
            index.upsert(0, Indexes.randomVectors(1, 16, 7)[0]); // a replacement leaves a tombstone: one more row
            assertThat(index.room()).isEqualTo(69);
        }
    }

    @Test
    void anIndexWhoseRoomRunsLowIsRebuiltWithRoomBeforeAnyArrayMustGrow() {
        Indexes.requireFaiss();
        try (BackgroundBuiltIndex index = new BackgroundBuiltIndex(16, WatchlistIndexes.Choice.FLAT, Runnable::run)) {
            index.upsertAll(ids(4000), Indexes.randomVectors(4000, 16, 4));
            assertThat(index.room()).isEqualTo(BackgroundBuiltIndex.headroom(4000));
            float[][] more = Indexes.randomVectors(600, 16, 5);
            for (int i = 0; i < more.length; i++) {
                index.upsert(10_000 + i, more[i]);
            }
            // a direct executor: the build ran when half the room was used; the next call swapped it in
            assertThat(index.buildsDone()).isEqualTo(1);
            assertThat(index.kind()).isEqualTo("faiss-flat");
            assertThat(index.room()).isGreaterThan(BackgroundBuiltIndex.headroom(index.size()) / 2);
            assertThat(index.size()).isEqualTo(4600);
            for (int i = 0; i < more.length; i += 97) {
                assertThat(index.search(new float[][] {more[i]}, 1)[0].ids()[0]).isEqualTo(10_000 + i);
            }
        }
    }
}
