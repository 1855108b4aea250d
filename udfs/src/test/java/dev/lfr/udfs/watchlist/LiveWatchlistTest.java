package dev.lfr.udfs.watchlist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lfr.udfs.index.FaissIndex;
import dev.lfr.udfs.index.WatchlistIndexes;
import dev.lfr.udfs.watchlist.LiveWatchlist.Applied;
import dev.lfr.udfs.watchlist.LiveWatchlist.Hit;
import dev.lfr.udfs.watchlist.LiveWatchlist.Update;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The watchlist topic's rules, on hand-made vectors: no model needed. */
class LiveWatchlistTest {
    private static final int DIM = 16;
    private final LiveWatchlist live = new LiveWatchlist(DIM);

    private final ExecutorService builds = Executors.newSingleThreadExecutor();

    @AfterEach
    void close() {
        live.close();
        builds.shutdownNow();
    }

    private static float[] axis(int i) {
        float[] v = new float[DIM];
        v[i] = 1;
        return v;
    }

    private static Update enrol(String subject, long version, float[] v) {
        return new Update("wl", subject, version, v, LiveWatchlist.NO_EXPIRY);
    }

    private Hit best(float[] query, long atMs) {
        return live.best("wl", new float[][] {query}, atMs)[0];
    }

    @Test
    void anUpdateIsVisibleToTheNextSearch() {
        assertThat(best(axis(0), 0)).isNull();
        assertThat(live.apply(enrol("alice", 1, axis(0)))).isEqualTo(Applied.ADDED);
        assertThat(live.apply(enrol("bob", 2, axis(1)))).isEqualTo(Applied.ADDED);
        assertThat(best(axis(0), 0)).isEqualTo(new Hit("alice", 1f, 2));
        assertThat(live.apply(enrol("alice", 3, axis(2)))).isEqualTo(Applied.REPLACED); // a new template
        assertThat(best(axis(2), 0).subject()).isEqualTo("alice");
        assertThat(best(axis(0), 0).score()).isLessThan(0.5f);
        assertThat(live.size("wl", 0)).isEqualTo(2);
        assertThat(best(axis(0), 0).watchlistVersion()).isEqualTo(3);
        assertThat(live.best("another", new float[][] {axis(0)}, 0)).containsOnlyNulls();
    }

    @Test
    void theSameEntryAgainIsANoOp() {
        live.apply(enrol("alice", 1, axis(0)));
        assertThat(live.apply(enrol("alice", 1, axis(0)))).isEqualTo(Applied.IGNORED);
        assertThat(live.apply(enrol("alice", 1, axis(1)))).isEqualTo(Applied.REPLACED); // same version, new vector
        assertThat(best(axis(1), 0).subject()).isEqualTo("alice");
    }

    @Test
    void deletionsHoldAgainstLateOlderUpsertsButNotNewerOnes() {
        live.apply(enrol("alice", 1, axis(0)));
        assertThat(live.apply(Update.deletion("wl", "alice", 2))).isEqualTo(Applied.DELETED);
        assertThat(best(axis(0), 0)).isNull();
        assertThat(live.apply(enrol("alice", 1, axis(0)))).isEqualTo(Applied.IGNORED); // late and older
        assertThat(best(axis(0), 0)).isNull();
        assertThat(live.version("wl", "alice")).hasValue(2);
        assertThat(live.apply(enrol("alice", 3, axis(0)))).isEqualTo(Applied.ADDED); // enrolled again
        assertThat(best(axis(0), 0).subject()).isEqualTo("alice");
    }

    @Test
    void anEntryStopsMatchingAtItsExpiryWithNoFurtherUpdate() {
        live.apply(new Update("wl", "alice", 1, axis(0), 1_000));
        live.apply(enrol("bob", 1, axis(1)));
        assertThat(best(axis(0), 999).subject()).isEqualTo("alice");
        assertThat(best(axis(0), 1_000).subject()).isEqualTo("bob"); // alice is gone, bob is what is left
        assertThat(live.size("wl", 1_000)).isEqualTo(1); // pruned from the index
        // a renewal with a later expiry brings her back
        live.apply(new Update("wl", "alice", 2, axis(0), 5_000));
        assertThat(best(axis(0), 2_000).subject()).isEqualTo("alice");
    }

    @Test
    void aRenewedEntryIsNotExpiredByItsOldExpiry() {
        live.apply(new Update("wl", "alice", 1, axis(0), 1_000));
        live.apply(new Update("wl", "alice", 2, axis(0), 9_000));
        assertThat(best(axis(0), 2_000).subject()).isEqualTo("alice");
        assertThat(best(axis(0), 9_000)).isNull();
    }

    @Test
    void aBulkLoadEqualsTheSameUpdatesOneByOne() {
        Random r = new Random(7);
        List<Update> updates = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String subject = "s" + r.nextInt(120);
            if (r.nextInt(5) == 0) {
                updates.add(Update.deletion("wl", subject, r.nextInt(50)));
            } else {
                float[] v = new float[DIM];
                for (int d = 0; d < DIM; d++) {
                    v[d] = (float) r.nextGaussian();
                }
                updates.add(new Update("wl", subject, r.nextInt(50), v, r.nextBoolean() ? LiveWatchlist.NO_EXPIRY : 500 + r.nextInt(1000)));
            }
        }
        try (LiveWatchlist bulk = new LiveWatchlist(DIM)) {
            bulk.load(updates);
            updates.forEach(live::apply);
            for (long at : new long[] {0, 900, 2_000}) {
                assertThat(bulk.size("wl", at)).isEqualTo(live.size("wl", at));
                float[][] queries = new float[40][DIM];
                for (float[] q : queries) {
                    for (int d = 0; d < DIM; d++) {
                        q[d] = (float) r.nextGaussian();
                    }
                }
                Hit[] a = bulk.best("wl", queries, at);
                Hit[] b = live.best("wl", queries, at);
                for (int i = 0; i < a.length; i++) {
                    assertThat(a[i].subject()).isEqualTo(b[i].subject());
                    assertThat(a[i].score()).isCloseTo(b[i].score(), org.assertj.core.data.Offset.offset(1e-5f));
                }
            }
        }
    }

    private static float[] gaussian(Random r) {
        float[] v = new float[DIM];
        for (int d = 0; d < DIM; d++) {
            v[d] = (float) r.nextGaussian();
        }
        return v;
    }

    private static List<Update> enrolments(int n, Random r) {
        List<Update> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(enrol("s" + i, 1, gaussian(r)));
        }
        return out;
    }

    private static void requireFaiss() {
        if (!FaissIndex.nativeAvailable()) {
            System.out.println("SKIPPED: FAISS is not installed (" + FaissIndex.nativeLoadError() + ")");
        }
        assumeTrue(FaissIndex.nativeAvailable(), "FAISS is not installed");
    }

    /** A watchlist of {@code loaded} on HNSW, its graph built in the background and swapped in. */
    private LiveWatchlist onGraph(List<Update> loaded) throws Exception {
        LiveWatchlist big = new LiveWatchlist(DIM, WatchlistIndexes.Choice.HNSW, builds);
        big.load(loaded);
        drain(builds);
        big.best("wl", new float[][] {loaded.get(0).vector()}, 0); // the next call swaps the graph in
        return big;
    }

    /** Runs what was queued on the single-thread executor before this call. */
    private static void drain(ExecutorService builds) throws Exception {
        builds.submit(() -> { }).get(1, TimeUnit.MINUTES);
    }

    @Test
    void aGraphIsBuiltInTheBackgroundWhileTheExactIndexAnswersAndTakesTheChangesMadeMeanwhile() throws Exception {
        requireFaiss();
        CountDownLatch hold = new CountDownLatch(1);
        builds.submit(() -> hold.await(1, TimeUnit.MINUTES)); // the build queues behind this
        Random r = new Random(3);
        List<Update> loaded = enrolments(3000, r);
        try (LiveWatchlist big = new LiveWatchlist(DIM, WatchlistIndexes.Choice.HNSW, builds)) {
            big.load(loaded);
            assertThat(big.indexStatus("wl")).isEqualTo(new LiveWatchlist.IndexStatus("faiss-flat", 3000, 0, true));
            float[] newcomer = gaussian(r);
            float[] replacement = gaussian(r);
            big.apply(enrol("newcomer", 1, newcomer));
            big.apply(Update.deletion("wl", "s1", 2));
            big.apply(enrol("s2", 2, replacement));
            Runnable changesHold = () -> {
                assertThat(big.best("wl", new float[][] {newcomer}, 0)[0].subject()).isEqualTo("newcomer");
                assertThat(big.best("wl", new float[][] {loaded.get(1).vector()}, 0)[0].subject()).isNotEqualTo("s1");
                assertThat(big.best("wl", new float[][] {replacement}, 0)[0].subject()).isEqualTo("s2");
                assertThat(big.best("wl", new float[][] {loaded.get(2).vector()}, 0)[0].score()).isLessThan(0.999f);
                assertThat(big.best("wl", new float[][] {loaded.get(7).vector()}, 0)[0].subject()).isEqualTo("s7");
            };
            changesHold.run(); // on the exact index, at once

            hold.countDown();
            drain(builds);
            big.best("wl", new float[][] {newcomer}, 0); // the next call swaps the graph in
            // the deletion and the replacement reached the graph as it was built: tombstones, too few to rebuild
            assertThat(big.indexStatus("wl")).isEqualTo(new LiveWatchlist.IndexStatus("faiss-hnsw", 3000, 2, false));
            changesHold.run();
        }
    }

    @Test
    void aGraphFullOfTombstonesIsRebuiltInTheBackground() throws Exception {
        requireFaiss();
        List<Update> loaded = enrolments(3000, new Random(4));
        try (LiveWatchlist big = onGraph(loaded)) {
            assertThat(big.indexStatus("wl").kind()).isEqualTo("faiss-hnsw");
            for (int i = 0; i < 999; i++) {
                big.apply(Update.deletion("wl", "s" + i, 2));
            }
            assertThat(big.indexStatus("wl")).isEqualTo(new LiveWatchlist.IndexStatus("faiss-hnsw", 2001, 999, false));
            big.apply(Update.deletion("wl", "s999", 2)); // a thousand tombstones, more than a tenth of the rows
            assertThat(big.indexStatus("wl").rebuilding()).isTrue();
            drain(builds);
            big.best("wl", new float[][] {loaded.get(0).vector()}, 0);
            assertThat(big.indexStatus("wl")).isEqualTo(new LiveWatchlist.IndexStatus("faiss-hnsw", 2000, 0, false));
            for (int i = 0; i < 1000; i += 37) {
                assertThat(big.best("wl", new float[][] {loaded.get(i).vector()}, 0)[0].subject()).isNotEqualTo("s" + i);
            }
            assertThat(big.best("wl", new float[][] {loaded.get(2500).vector()}, 0)[0].subject()).isEqualTo("s2500");
        }
    }

    @Test
    void aWatchlistEmptiedByDeletionsIsRebuiltAndTakesNewEntriesMeanwhile() throws Exception {
        requireFaiss();
        Random r = new Random(5);
        List<Update> loaded = enrolments(1000, r);
        try (LiveWatchlist big = onGraph(loaded)) {
            CountDownLatch hold = new CountDownLatch(1);
            builds.submit(() -> hold.await(1, TimeUnit.MINUTES)); // the rebuild queues behind this
            for (int i = 0; i < 1000; i++) {
                big.apply(Update.deletion("wl", "s" + i, 2));
            }
            assertThat(big.indexStatus("wl")).isEqualTo(new LiveWatchlist.IndexStatus("faiss-hnsw", 0, 1000, true));
            float[] newcomer = gaussian(r);
            big.apply(enrol("newcomer", 1, newcomer)); // journaled for a rebuild whose input is empty
            hold.countDown();
            drain(builds);
            assertThat(big.best("wl", new float[][] {newcomer}, 0)[0].subject()).isEqualTo("newcomer");
            assertThat(big.indexStatus("wl")).isEqualTo(new LiveWatchlist.IndexStatus("faiss-hnsw", 1, 0, false));
        }
    }
}
