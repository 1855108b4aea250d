package dev.lfr.console.feed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.schemas.Adjudication;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.MatchAlert;
import dev.lfr.schemas.Verdict;
import dev.lfr.testkit.LocalKafka;
import dev.lfr.topics.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** The console's reader against a real broker, with records no job would write. */
class ConsoleFeedTest {
    @Test
    void recordsItCannotReadAreSkippedAndCountedAndTombstonesRemoveAlerts() throws Exception {
        try (LocalKafka kafka = new LocalKafka()) {
            kafka.createTopics(Topics.ALL.toArray(String[]::new));
            kafka.produceKeyed(Topics.ALERTS, List.of(
                    record(Topics.ALERTS, "junk", new byte[] {0x7f, 0x7f, 0x7f}),
                    record(Topics.ALERTS, "a-1", AvroBytes.encode(alert("a-1"))),
                    record(Topics.ALERTS, "a-2", AvroBytes.encode(alert("a-2"))),
                    record(Topics.ALERTS, "a-2", null)));
            kafka.produceKeyed(Topics.METRICS, List.of(record(Topics.METRICS, null, "not avro".getBytes(StandardCharsets.UTF_8))));
            kafka.produceKeyed(Topics.DEPLOYMENTS, List.of(record(Topics.DEPLOYMENTS, "gone", null)));
            try (ConsoleFeed feed = new ConsoleFeed(kafka.bootstrap())) {
                assertThat(feed.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
                assertThat(feed.alert("a-1")).hasValueSatisfying(a -> {
                    assertThat(a.state()).isEqualTo(AlertReview.AWAITING_REVIEW);
                    assertThat(a.displayName()).isEqualTo("eve"); // no watchlist entry: the subject id
                    assertThat(a.hasReference()).isFalse();
                });
                assertThat(feed.crop("a-1")).hasValueSatisfying(b -> assertThat(b).hasSize(4));
                assertThat(feed.alert("a-2")).isEmpty();
                assertThat(feed.skipped()).isEqualTo(2);
                assertThat(feed.deployments()).isEmpty();

                kafka.produceKeyed(Topics.ALERTS, List.of(record(Topics.ALERTS, "a-3", AvroBytes.encode(alert("a-3")))));
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (feed.alert("a-3").isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(feed.alert("a-3")).isPresent(); // it goes on reading after the junk
            }
        }
    }

    /**
     * The verdict written last shows, whatever its time: before, a decision timed a year ahead (a wrong clock, or
     * forged) stayed the alert's verdict for good, whatever officers decided after it.
     */
    @Test
    void theVerdictWrittenLastShowsEvenAfterOneTimedAYearAhead() throws Exception {
        try (LocalKafka kafka = new LocalKafka()) {
            kafka.createTopics(Topics.ALL.toArray(String[]::new));
            kafka.produceKeyed(Topics.ALERTS, List.of(record(Topics.ALERTS, "a-1", AvroBytes.encode(alert("a-1")))));
            Adjudication ahead = Adjudication.newBuilder().setAlertId("a-1").setVerdict(Verdict.CONFIRMED).setOfficer("pc-9")
                    .setTime(Instant.now().plus(Duration.ofDays(365))).build();
            Adjudication real = Adjudication.newBuilder(ahead).setVerdict(Verdict.FALSE_ALERT).setOfficer("pc-1")
                    .setTime(Instant.now()).build();
            // keyed by alert id, as the tools write them: one partition, so the order written is the order read
            kafka.produceKeyed(Topics.ADJUDICATIONS, List.of(record(Topics.ADJUDICATIONS, "a-1", AvroBytes.encode(ahead)),
                    record(Topics.ADJUDICATIONS, "a-1", AvroBytes.encode(real))));
            try (ConsoleFeed feed = new ConsoleFeed(kafka.bootstrap())) {
                assertThat(feed.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
                assertThat(feed.alert("a-1")).hasValueSatisfying(a -> {
                    assertThat(a.state()).isEqualTo(Verdict.FALSE_ALERT.name());
                    assertThat(a.decidedBy()).isEqualTo("pc-1");
                });
            }
        }
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String key, byte[] value) {
        return new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
    }

    private static MatchAlert alert(String id) {
        Instant now = Instant.now();
        return MatchAlert.newBuilder().setAlertId(id).setDeployment("op-1").setCameras(List.of("cam-1")).setSubject("eve").setBestScore(0.7f)
                .setFirstSeen(now).setLastSeen(now).setSightings(1).setBestCropJpeg(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}))
                .setWatchlistVersion(1).setEmbeddingModel("m").build();
    }
}
