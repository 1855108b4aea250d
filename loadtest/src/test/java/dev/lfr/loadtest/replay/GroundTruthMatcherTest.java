package dev.lfr.loadtest.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.schemas.MatchAlert;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GroundTruthMatcherTest {
    /** A walk-past of {@code frames} frames, 200 ms apart, from {@code startMs}. */
    private static List<TruthFace> walk(String id, String who, String camera, long startMs, int frames) {
        List<TruthFace> t = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            t.add(new TruthFace(id, who, camera, startMs + 200L * i, 0, 0, 50, 50));
        }
        return t;
    }

    private static MatchAlert alert(String subject, List<String> cameras, long first, long last) {
        return MatchAlert.newBuilder().setAlertId(subject + first).setDeployment("d").setCameras(cameras).setSubject(subject)
                .setBestScore(0.7f).setFirstSeen(Instant.ofEpochMilli(first)).setLastSeen(Instant.ofEpochMilli(last))
                .setSightings(2).setBestCropJpeg(ByteBuffer.wrap(new byte[1])).setWatchlistVersion(1)
                .setEmbeddingModel("m").build();
    }

    @Test
    void alertsAreTrueWhenTheyCoverAWalkPastOfTheirSubjectOnTheirCamera() {
        List<TruthFace> truth = new ArrayList<>();
        truth.addAll(walk("w1", "ann", "cam-1", 0, 10));        // 0 - 1800 ms, on the watchlist: detected
        truth.addAll(walk("w2", "ann", "cam-2", 1000, 10));     // 1000 - 2800, same alert (cameras merged)
        truth.addAll(walk("w3", "bob", "cam-1", 5000, 10));     // on the watchlist: missed
        truth.addAll(walk("w4", "cat", "cam-1", 5000, 10));     // not on the watchlist
        List<MatchAlert> alerts = List.of(
                alert("ann", List.of("cam-1", "cam-2"), 400, 2600),
                alert("bob", List.of("cam-2"), 5400, 5400),      // wrong camera: false
                alert("bob", List.of("cam-1"), 20_000, 20_000),  // long after his walk-past: false
                alert("cat", List.of("cam-1"), 5400, 5400));     // cat is not on the watchlist: false
        GroundTruthMatcher.Score s = GroundTruthMatcher.score(truth, Set.of("ann", "bob"), alerts, 1000);
        assertThat(s.alerts()).isEqualTo(4);
        assertThat(s.trueAlerts()).isEqualTo(1);
        assertThat(s.falseAlerts()).isEqualTo(3);
        assertThat(s.enrolledWalkPasts()).isEqualTo(3);
        assertThat(s.detected()).isEqualTo(2);
        assertThat(s.missed()).isEqualTo(1);
        assertThat(s.tpir()).isEqualTo(2 / 3.0);
        assertThat(s.faces()).isEqualTo(40);
        assertThat(s.falseAlertsPer1000Faces()).isEqualTo(75.0);
        assertThat(s.splitWalkPasts()).isZero();
        // who was really crossing: nobody on cam-2 at 5.4 s, bob and cat on cam-1 then, nobody at 20 s
        assertThat(s.falseAlertList()).extracting(GroundTruthMatcher.FalseAlert::inView).containsExactly(
                List.of(), List.of(), List.of("bob", "cat"));
        assertThat(s.falseAlertList()).extracting(GroundTruthMatcher.FalseAlert::subject).containsExactly("bob", "bob", "cat");
    }

    @Test
    void aWalkPastCoveredByTwoAlertIdsIsSplit() {
        List<TruthFace> truth = new ArrayList<>(walk("w1", "ann", "cam-1", 0, 10));
        truth.addAll(walk("w2", "ann", "cam-1", 10_000, 10));
        // w1: the same alert twice (its first and completed versions, or re-sent after a recovery): not split;
        // w2: a second alert id for the same crossing (its state lost in a failure): split
        List<MatchAlert> alerts = List.of(alert("ann", List.of("cam-1"), 200, 1600), alert("ann", List.of("cam-1"), 200, 1800),
                alert("ann", List.of("cam-1"), 10_200, 10_600), alert("ann", List.of("cam-1"), 11_000, 11_800));
        GroundTruthMatcher.Score s = GroundTruthMatcher.score(truth, Set.of("ann"), alerts, 0);
        assertThat(s.missed()).isZero();
        assertThat(s.splitWalkPasts()).isEqualTo(1);
    }

    @Test
    void walkPastsSpanTheirFramesAndTheToleranceIsApplied() {
        List<TruthFace> truth = walk("w1", "ann", "cam-1", 1000, 5);
        assertThat(GroundTruthMatcher.walkPasts(truth)).containsExactly(
                new GroundTruthMatcher.WalkPast("w1", "ann", "cam-1", 1000, 1800, 5));
        // an alert 900 ms after the walk-past's last frame still belongs to it with 1 s tolerance, not with 0.5 s
        MatchAlert late = alert("ann", List.of("cam-1"), 2700, 2700);
        assertThat(GroundTruthMatcher.score(truth, Set.of("ann"), List.of(late), 1000).trueAlerts()).isEqualTo(1);
        assertThat(GroundTruthMatcher.score(truth, Set.of("ann"), List.of(late), 500).trueAlerts()).isZero();
    }
}
