package dev.lfr.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.schemas.Adjudication;
import dev.lfr.schemas.MatchAlert;
import dev.lfr.schemas.Verdict;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdjudicationJoinerTest {
    private KeyedTwoInputStreamOperatorTestHarness<String, MatchAlert, Adjudication, MetricEvent> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(new AdjudicationJoiner(Duration.ofDays(1)),
                MatchAlert::getAlertId, Adjudication::getAlertId, Types.STRING);
    }

    private static MatchAlert alert(String id, int sightings) {
        return MatchAlert.newBuilder().setAlertId(id).setDeployment("d1").setCameras(List.of("cam-b", "cam-a"))
                .setSubject("s").setBestScore(0.7f).setFirstSeen(Instant.ofEpochMilli(1000))
                .setLastSeen(Instant.ofEpochMilli(2000)).setSightings(sightings).setBestCropJpeg(ByteBuffer.wrap(new byte[1]))
                .setWatchlistVersion(1).setEmbeddingModel("fr-feature-512").build();
    }

    private static Adjudication verdict(String id, Verdict v, long t) {
        return Adjudication.newBuilder().setAlertId(id).setVerdict(v).setOfficer("pc").setTime(Instant.ofEpochMilli(t)).build();
    }

    @Test
    void countsAnAlertOnceAndMovesAChangedVerdict() throws Exception {
        harness.processElement1(alert("a1", 1), 1000);
        harness.processElement1(alert("a1", 3), 5000); // completion record of the same walk-past
        harness.processElement2(verdict("a1", Verdict.CONFIRMED, 9000), 9000);
        harness.processElement2(verdict("a1", Verdict.CONFIRMED, 9500), 9500); // repeated: no change
        harness.processElement2(verdict("a1", Verdict.FALSE_ALERT, 10_000), 10_000);
        harness.processElement2(verdict("a1", Verdict.NO_ACTION, 11_000), 11_000);

        assertThat(harness.extractOutputValues()).containsExactly(
                MetricEvent.alert("d1", "cam-b", 1000),
                MetricEvent.adjudication("d1", "cam-b", 9000, 1, 0),
                MetricEvent.adjudication("d1", "cam-b", 10_000, -1, 1),
                MetricEvent.adjudication("d1", "cam-b", 11_000, 0, -1));
    }

    @Test
    void anAdjudicationBeforeItsAlertWaitsAndUnknownVerdictsAreNotCounted() throws Exception {
        harness.processElement2(verdict("a2", Verdict.CONFIRMED, 5000), 5000);
        // written after, by a terminal whose clock is behind: the verdict written last stands, whatever its time
        harness.processElement2(verdict("a2", Verdict.FALSE_ALERT, 3000), 3000);
        harness.processElement2(verdict("a3", Verdict.UNKNOWN, 3000), 3000);
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.processElement1(alert("a2", 1), 1000);
        assertThat(harness.extractOutputValues()).containsExactly(
                MetricEvent.alert("d1", "cam-b", 1000),
                MetricEvent.adjudication("d1", "cam-b", 3000, 0, 1));
    }
}
