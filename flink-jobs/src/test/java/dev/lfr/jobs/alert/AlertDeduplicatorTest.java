package dev.lfr.jobs.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.jobs.match.MatchCandidate;
import dev.lfr.schemas.MatchAlert;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AlertDeduplicatorTest {
    private KeyedOneInputStreamOperatorTestHarness<String, MatchCandidate, MatchAlert> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new AlertDeduplicator(Duration.ofSeconds(5)),
                AlertDeduplicator::keyOf, Types.STRING);
    }

    private static MatchCandidate seen(String subject, String camera, long t, float score) {
        return new MatchCandidate("d1", camera, "wl", subject, score, t, 1, new byte[] {(byte) score}, 3, "fr-feature-512");
    }

    private void feed(MatchCandidate c) throws Exception {
        harness.processElement(c, c.timeMs());
    }

    @Test
    void oneWalkPastAcrossCamerasIsOneAlertIdEmittedAtOnceAndCompletedAtTheEnd() throws Exception {
        feed(seen("colin", "cam-a", 1000, 0.6f));
        List<MatchAlert> first = harness.extractOutputValues();
        assertThat(first).singleElement().satisfies(a -> assertThat(a.getSightings()).isEqualTo(1)); // alert at once
        feed(seen("colin", "cam-a", 2000, 0.8f));
        feed(seen("colin", "cam-b", 4000, 0.7f));
        harness.processWatermark(8999); // last sighting + gap not reached
        assertThat(harness.extractOutputValues()).hasSize(1);
        harness.processWatermark(9000);
        List<MatchAlert> out = harness.extractOutputValues();
        assertThat(out).hasSize(2);
        MatchAlert done = out.get(1);
        assertThat(done.getAlertId()).isEqualTo(out.get(0).getAlertId());
        assertThat(done.getSightings()).isEqualTo(3);
        assertThat(done.getCameras()).containsExactly("cam-a", "cam-b");
        assertThat(done.getBestScore()).isEqualTo(0.8f);
        assertThat(done.getBestCropJpeg().array()).containsExactly((byte) 0.8f);
        assertThat(done.getFirstSeen().toEpochMilli()).isEqualTo(1000);
        assertThat(done.getLastSeen().toEpochMilli()).isEqualTo(4000);
        harness.processWatermark(9000 + AlertDeduplicator.LATE_RETENTION.toMillis() - 1);
        assertThat(harness.numKeyedStateEntries()).isOne(); // the closed alert, for late candidates
        harness.processWatermark(9000 + AlertDeduplicator.LATE_RETENTION.toMillis());
        assertThat(harness.numKeyedStateEntries()).isZero(); // nothing kept after that
    }

    @Test
    void aWalkPastHoldsOneTimerHoweverOftenTheSubjectIsSeen() throws Exception {
        for (long t = 1000; t <= 5500; t += 500) { // 5 fps for 5 s would be 25 sightings; ten are enough
            feed(seen("colin", "cam-a", t, 0.6f));
            assertThat(harness.numEventTimeTimers()).as("after the sighting at %d", t).isOne();
        }
        harness.processWatermark(10_499);
        assertThat(harness.extractOutputValues()).hasSize(1);
        harness.processWatermark(10_500); // the last sighting + gap: the walk-past ends
        assertThat(harness.extractOutputValues()).hasSize(2).last().satisfies(a -> assertThat(a.getSightings()).isEqualTo(10));
        assertThat(harness.numEventTimeTimers()).as("its clean-up").isOne();
        harness.processWatermark(10_500 + AlertDeduplicator.LATE_RETENTION.toMillis());
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aTimerAnotherAlertStillNeedsIsKept() throws Exception {
        long late = AlertDeduplicator.LATE_RETENTION.toMillis();
        feed(seen("colin", "cam-a", 1000, 0.6f));
        harness.processWatermark(6000); // closed; cleaned up at 6000 + late
        feed(seen("colin", "cam-a", 1000 + late, 0.6f)); // a new walk-past ending just when the old one is cleaned up
        feed(seen("colin", "cam-a", 2000 + late, 0.6f)); // it goes on: its end moves, the clean-up must stay
        harness.processWatermark(6000 + late);
        assertThat(harness.numKeyedStateEntries()).as("only the walk-past still going on").isOne();
        harness.processWatermark(7000 + late);
        assertThat(harness.extractOutputValues().stream().map(MatchAlert::getAlertId).distinct()).hasSize(2);
        harness.processWatermark(7000 + 2 * late);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void aLateCandidateOfAClosedWalkPastReopensItUnderTheSameId() throws Exception {
        // after a recovery one camera's replayed frames can arrive behind a watermark another camera pushed on
        feed(seen("colin", "cam-a", 1000, 0.6f));
        harness.processWatermark(7000); // closed at 1000 + gap
        feed(seen("colin", "cam-b", 1500, 0.9f)); // late, and within the gap of the closed walk-past
        harness.processWatermark(7000 + 1); // the reopened walk-past ends at 1500 + gap
        harness.processWatermark(7500);
        List<MatchAlert> out = harness.extractOutputValues();
        assertThat(out).extracting(MatchAlert::getAlertId).containsOnly(out.get(0).getAlertId());
        MatchAlert last = out.get(out.size() - 1);
        assertThat(last.getSightings()).isEqualTo(2);
        assertThat(last.getCameras()).containsExactly("cam-a", "cam-b");
        // a sighting a gap or more away is a new walk-past, late or not
        feed(seen("colin", "cam-a", 7000, 0.6f));
        assertThat(harness.extractOutputValues().stream().map(MatchAlert::getAlertId).distinct()).hasSize(2);
    }

    @Test
    void aReturnAfterTheGapIsANewAlertAndSubjectsAreSeparate() throws Exception {
        feed(seen("colin", "cam-a", 1000, 0.6f));
        feed(seen("zico", "cam-a", 1500, 0.6f));
        harness.processWatermark(7000);
        feed(seen("colin", "cam-a", 20_000, 0.6f));
        List<String> ids = harness.extractOutputValues().stream().map(MatchAlert::getAlertId).distinct().toList();
        assertThat(ids).hasSize(3);
    }

    @Test
    void aCandidateOfAnEarlierWalkPastInBetweenDoesNotSplitTheCurrentOne() throws Exception {
        // after a resume, one camera's backlog (an earlier walk-past) interleaves with another camera's live frames
        feed(seen("colin", "cam-a", 10_000, 0.6f));
        harness.processWatermark(16_000); // the walk-past at 10 s has ended
        feed(seen("colin", "cam-b", 30_000, 0.9f)); // a new walk-past
        feed(seen("colin", "cam-a", 11_000, 0.7f)); // late: the first walk-past's
        feed(seen("colin", "cam-b", 30_500, 0.9f)); // the new walk-past goes on
        harness.processWatermark(40_000);
        List<String> ids = harness.extractOutputValues().stream().map(MatchAlert::getAlertId).distinct().toList();
        assertThat(ids).hasSize(2);
        MatchAlert lastOfSecond = harness.extractOutputValues().stream().filter(a -> a.getAlertId().equals(ids.get(1)))
                .reduce((x, y) -> y).orElseThrow();
        assertThat(lastOfSecond.getSightings()).isEqualTo(2);
    }

    @Test
    void replayingTheSameCandidatesGivesTheSameAlertIds() throws Exception {
        List<MatchCandidate> walk = List.of(seen("colin", "cam-a", 1000, 0.6f), seen("colin", "cam-b", 3000, 0.9f));
        for (MatchCandidate c : walk) {
            feed(c);
        }
        String before = harness.extractOutputValues().get(0).getAlertId();
        open(); // a fresh operator, as after a failure with nothing restored
        for (MatchCandidate c : walk) {
            feed(c);
        }
        assertThat(harness.extractOutputValues().get(0).getAlertId()).isEqualTo(before);
    }
}
