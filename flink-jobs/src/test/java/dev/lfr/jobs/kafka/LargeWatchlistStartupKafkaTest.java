package dev.lfr.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.jobs.Enrolments;
import dev.lfr.jobs.LiveMatchJob;
import dev.lfr.jobs.Records;
import dev.lfr.jobs.SinkDelivery;
import dev.lfr.jobs.fuzz.HostileRecords;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.MatchAlert;
import dev.lfr.schemas.WatchlistOp;
import dev.lfr.schemas.WatchlistUpdate;
import dev.lfr.testkit.LocalKafka;
import dev.lfr.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A first start on a 100,000-entry watchlist topic: the matcher reads the topic itself when it opens (nothing of
 * the watchlist travels in the job graph), so the very first frame, read before the broadcast stream has delivered
 * the enrolment, already finds the subject. No delay is put in front of the frames.
 */
class LargeWatchlistStartupKafkaTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension();

    private static final int ENTRIES = 100_000;

    @Test
    void theFirstFrameMatchesAgainstAHundredThousandEntryTopicReadAtStartUp() throws Exception {
        Path lfw = dev.lfr.jobs.SharedLfw.dir();
        LiveMatchJob.Config config = LiveMatchJob.Config.defaults();
        try (LocalKafka kafka = new LocalKafka()) {
            PoisonPillKafkaTest.controlTopics(kafka);
            PoisonPillKafkaTest.keyed(kafka, Topics.DEPLOYMENTS, "d1",
                    AvroBytes.encode(PoisonPillKafkaTest.deployment(0.5f)));
            List<ProducerRecord<byte[], byte[]>> entries = new ArrayList<>(ENTRIES);
            for (int i = 0; i < ENTRIES - 1; i++) {
                WatchlistUpdate u = WatchlistUpdate.newBuilder().setWatchlist("wl-d1").setSubject("s-" + i).setVersion(1)
                        .setOp(WatchlistOp.UPSERT).setEmbeddingModel(config.embeddingModel())
                        .setVector(HostileRecords.unitVector(i, config.input().dimension())).build();
                entries.add(new ProducerRecord<>(Topics.WATCHLIST, ("wl-d1/s-" + i).getBytes(StandardCharsets.UTF_8),
                        AvroBytes.encode(u)));
            }
            WatchlistUpdate colin = Enrolments.enrol(lfw, "colin", "Colin_Powell/Colin_Powell_0001.jpg");
            entries.add(new ProducerRecord<>(Topics.WATCHLIST, "wl-d1/colin".getBytes(StandardCharsets.UTF_8),
                    AvroBytes.encode(colin)));
            kafka.produceKeyed(Topics.WATCHLIST, entries);
            kafka.produce(Topics.FRAMES, List.of(AvroBytes.encode(Records.frame("cam-1", 1000,
                    Files.readAllBytes(lfw.resolve("Colin_Powell/Colin_Powell_0002.jpg"))))));

            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(1);
            String bs = kafka.bootstrap();
            long start = System.nanoTime();
            LiveMatchJob.build(new LiveMatchJob.Sources(source(env, bs, Topics.FRAMES),
                            source(env, bs, Topics.DEPLOYMENTS), source(env, bs, Topics.WATCHLIST),
                            source(env, bs, Topics.ADJUDICATIONS)),
                    LiveMatchJob.kafkaSinks(bs, "lfr-test", SinkDelivery.defaults()), config, ControlTopicReads.kafka(bs, config.input()));
            env.execute("large watchlist start-up");
            System.out.printf("start-up with %d watchlist entries: job finished in %.1f s%n", ENTRIES,
                    (System.nanoTime() - start) / 1e9);

            List<MatchAlert> alerts = kafka.readAll(Topics.ALERTS).stream()
                    .map(r -> AvroBytes.decode(r.value(), MatchAlert.class)).toList();
            assertThat(alerts).isNotEmpty().allSatisfy(a -> assertThat(a.getSubject()).isEqualTo("colin"));
        }
    }

    private static DataStream<dev.lfr.jobs.ingest.RawRecord> source(StreamExecutionEnvironment env, String bs, String topic) {
        return env.fromSource(KafkaWiring.source(bs, topic, "startup-test", true), WatermarkStrategy.noWatermarks(), topic);
    }
}
