package dev.lfr.udfs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.lfr.udfs.watchlist.LiveWatchlist;
import dev.lfr.udfs.watchlist.LiveWatchlist.Hit;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How a face's hit and its track's hit are weighed, on hand-made vectors: no model needed. */
class FaceSearchTest {
    private static final int DIM = 8;
    private final LiveWatchlist live = new LiveWatchlist(DIM);

    @AfterEach
    void close() {
        live.close();
    }

    private static float[] towards(int axis, double share, int other) {
        float[] v = new float[DIM];
        v[axis] = (float) share;
        v[other] = (float) Math.sqrt(1 - share * share);
        return v;
    }

    private void enrol(String subject, int axis, long expiryMs) {
        float[] v = new float[DIM];
        v[axis] = 1;
        live.apply(new LiveWatchlist.Update("wl", subject, 1, v, expiryMs));
    }

    private Hit[] faceHits(float[]... faces) {
        return live.best("wl", faces, 0);
    }

    @Test
    void aTrackMeanThatScoresHigherReplacesTheFacesHitAndOneThatScoresLowerDoesNot() {
        enrol("alice", 0, LiveWatchlist.NO_EXPIRY);
        enrol("bob", 1, LiveWatchlist.NO_EXPIRY);
        // face 0: a poor view of alice, its track's mean a good one; face 1: a good view of bob, its mean a worse one
        Hit[] hits = faceHits(towards(0, 0.6, 7), towards(1, 0.9, 7));
        FaceSearch.betterByTrack(live, "wl", hits, new float[][] {towards(0, 0.95, 7), towards(1, 0.7, 7)}, 0);
        assertThat(hits[0].subject()).isEqualTo("alice");
        assertThat(hits[0].score()).isCloseTo(0.95f, offset(1e-5f));
        assertThat(hits[1].subject()).isEqualTo("bob");
        assertThat(hits[1].score()).as("the face's own, better hit stands").isCloseTo(0.9f, offset(1e-5f));
    }

    @Test
    void eachMeanIsWeighedAgainstItsOwnFaceWhereSomeFacesHaveNone() {
        enrol("alice", 0, LiveWatchlist.NO_EXPIRY);
        enrol("bob", 1, LiveWatchlist.NO_EXPIRY);
        enrol("carol", 2, LiveWatchlist.NO_EXPIRY);
        Hit[] hits = faceHits(towards(0, 0.5, 7), towards(1, 0.5, 7), towards(2, 0.5, 7), towards(3, 1, 7));
        Hit[] before = hits.clone();
        // faces 0 and 2 are first faces of their tracks (no mean); the means of faces 1 and 3 point at bob and carol
        FaceSearch.betterByTrack(live, "wl", hits, new float[][] {null, towards(1, 0.8, 7), null, towards(2, 0.9, 7)}, 0);
        assertThat(hits[0]).isSameAs(before[0]);
        assertThat(hits[1].subject()).isEqualTo("bob");
        assertThat(hits[1].score()).isGreaterThan(0.79f);
        assertThat(hits[2]).isSameAs(before[2]);
        assertThat(before[3].score()).as("face 3 alone is like nobody").isCloseTo(0f, offset(1e-5f));
        assertThat(hits[3].subject()).as("its track's mean does").isEqualTo("carol");
    }

    @Test
    void withoutMeansTheHitsStayAsTheyAre() {
        enrol("alice", 0, LiveWatchlist.NO_EXPIRY);
        Hit[] hits = faceHits(towards(0, 0.5, 7));
        Hit[] before = hits.clone();
        FaceSearch.betterByTrack(live, "wl", hits, new float[1][], 0);
        assertThat(hits).containsExactly(before);
    }

    @Test
    void aTrackMeanCannotBringBackAnEntryPastItsExpiry() {
        enrol("alice", 0, 1_000);
        Hit[] hits = live.best("wl", new float[][] {towards(0, 0.5, 7)}, 2_000);
        assertThat(hits).containsOnlyNulls();
        FaceSearch.betterByTrack(live, "wl", hits, new float[][] {towards(0, 0.99, 7)}, 2_000);
        assertThat(hits).containsOnlyNulls();
    }

    @Test
    void nothingIsEmbeddedWhenTheWatchlistHasNoEntryInForce() throws Exception {
        enrol("alice", 0, 1_000);
        // no pipeline at all: a search that tried to embed would fail
        FaceSearch search = new FaceSearch(null);
        FaceSearch.Result result = search.search(null, "cam-1",
                List.of(new dev.lfr.udfs.detect.Detection(new dev.lfr.udfs.detect.Box(0, 0, 10, 10), 0.9,
                        java.util.Collections.nCopies(6, new dev.lfr.udfs.detect.Point(5, 5)))),
                new long[] {1}, live, "wl", 0.5, 2_000);
        assertThat(result.searched()).isZero();
        assertThat(result.rescored()).isZero();
    }
}
