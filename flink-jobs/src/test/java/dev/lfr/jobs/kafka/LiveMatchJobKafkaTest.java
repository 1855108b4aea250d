package dev.lfr.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.jobs.LiveMatchJob;
import dev.lfr.jobs.Records;
import dev.lfr.jobs.SinkDelivery;
import dev.lfr.jobs.ingest.RawRecord;
import dev.lfr.schemas.DeadLetter;
import dev.lfr.schemas.DeadLetterReason;
import dev.lfr.schemas.DeploymentStatus;
import dev.lfr.schemas.MatchAlert;
import dev.lfr.testkit.LocalKafka;
import dev.lfr.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Topics in, topics out: a real in-process Kafka broker and Flink's MiniCluster, with real faces. */
class LiveMatchJobKafkaTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension();

    @Test
    void framesFromKafkaBecomeOneAlertAndDeadLettersOnTheirTopics() throws Exception {
        Path lfw = dev.lfr.jobs.SharedLfw.dir();
        try (LocalKafka kafka = new LocalKafka()) {
            deployColinWatchlist(kafka, lfw, List.of("cam-1"));
            kafka.produce(Topics.FRAMES, List.of(
                    Records.avro(Records.frame("cam-1", 1000, Files.readAllBytes(lfw.resolve("Colin_Powell/Colin_Powell_0002.jpg")))),
                    Records.avro(Records.frame("cam-1", 9000, Files.readAllBytes(lfw.resolve("Zico/Zico_0001.jpg")))),
                    new byte[] {42, 42},
                    Records.avro(Records.frame("cam-1", 9500, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1}))));

            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(1);
            buildOnTopics(env, kafka.bootstrap(), frames -> frames.map(new dev.lfr.jobs.DelayFirst<>(3000)));
            env.execute("live match on kafka");

            List<ConsumerRecord<byte[], byte[]>> alerts = kafka.readAll(Topics.ALERTS);
            assertThat(alerts).hasSize(2); // at the first sighting, then completed
            List<MatchAlert> values = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : alerts) {
                MatchAlert a = decode(r.value(), MatchAlert.class);
                assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(a.getAlertId());
                values.add(a);
            }
            assertThat(values).extracting(MatchAlert::getSubject).containsOnly("colin");
            assertThat(values).extracting(MatchAlert::getAlertId).containsOnly(values.get(0).getAlertId());

            List<DeadLetterReason> reasons = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(Topics.DEAD_LETTERS)) {
                DeadLetter d = decode(r.value(), DeadLetter.class);
                assertThat(d.getSourceTopic()).isEqualTo(Topics.FRAMES);
                reasons.add(d.getReason());
            }
            assertThat(reasons).containsExactlyInAnyOrder(DeadLetterReason.UNDECODABLE_RECORD,
                    DeadLetterReason.TRUNCATED_IMAGE);
        }
    }

    /**
     * A walk-past of five frames over two cameras; the job fails after the third frame, restarts from its last
     * checkpoint and replays. The alert topic may hold repeated records (at-least-once) but only one alert id.
     */
    @Test
    void aFailureMidStreamStillGivesOneAlertIdPerWalkPast() throws Exception {
        Path lfw = dev.lfr.jobs.SharedLfw.dir();
        try (LocalKafka kafka = new LocalKafka()) {
            deployColinWatchlist(kafka, lfw, List.of("cam-1", "cam-2"));
            byte[] c2 = Files.readAllBytes(lfw.resolve("Colin_Powell/Colin_Powell_0002.jpg"));
            byte[] c3 = Files.readAllBytes(lfw.resolve("Colin_Powell/Colin_Powell_0003.jpg"));
            List<byte[]> frames = new ArrayList<>();
            for (int i = 0; i < 5; i++) { // 2 s apart: each frame is a new track (gap 1.5 s), all one walk-past (gap 10 s)
                frames.add(Records.avro(Records.frame(i % 2 == 0 ? "cam-1" : "cam-2", 1000 + 2000L * i, i % 2 == 0 ? c2 : c3)));
            }
            kafka.produce(Topics.FRAMES, frames);

            dev.lfr.jobs.FailOnce.FAILED.set(false);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(1);
            env.enableCheckpointing(200);
            env.getCheckpointConfig().setMinPauseBetweenCheckpoints(100);
            buildOnTopics(env, kafka.bootstrap(), stream -> stream.map(new dev.lfr.jobs.DelayFirst<>(3000))
                    .map(new dev.lfr.jobs.SlowDown<>(400)).map(new dev.lfr.jobs.FailOnce<>(4)));
            env.execute("live match with a failure");

            assertThat(dev.lfr.jobs.FailOnce.FAILED.get()).as("the failure was injected").isTrue();
            List<MatchAlert> alerts = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(Topics.ALERTS)) {
                alerts.add(decode(r.value(), MatchAlert.class));
            }
            assertThat(alerts).isNotEmpty();
            assertThat(alerts).extracting(MatchAlert::getAlertId).containsOnly(alerts.get(0).getAlertId());
            MatchAlert last = alerts.get(alerts.size() - 1);
            assertThat(last.getSightings()).isEqualTo(5); // the completed alert counts every sighting once
            assertThat(last.getCameras()).containsExactlyInAnyOrder("cam-1", "cam-2");
        }
    }

    /**
     * A failure before the first checkpoint: the job starts again from the beginning and dead-letters the same two
     * records again. Read committed, exactly-once sinks show each once (the failed attempt's transaction is aborted);
     * at least once, each at least once (the failed attempt's copies too, if its producer sent them before it closed).
     */
    @ParameterizedTest
    @EnumSource(value = DeliveryGuarantee.class, names = {"AT_LEAST_ONCE", "EXACTLY_ONCE"})
    void deadLettersOfAnAttemptThatFailedBeforeAnyCheckpointAppearOnceOnlyWhenExactlyOnce(DeliveryGuarantee records)
            throws Exception {
        Path lfw = dev.lfr.jobs.SharedLfw.dir();
        try (LocalKafka kafka = new LocalKafka()) {
            deployColinWatchlist(kafka, lfw, List.of("cam-1"));
            byte[] colin = Records.avro(Records.frame("cam-1", 1000, Files.readAllBytes(lfw.resolve("Colin_Powell/Colin_Powell_0002.jpg"))));
            kafka.produce(Topics.FRAMES, List.of(new byte[] {42, 42}, new byte[] {43, 43}, colin, colin));

            dev.lfr.jobs.FailOnce.FAILED.set(false);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(1);
            env.enableCheckpointing(10_000); // the failure, about a second in, comes before the first checkpoint
            buildOnTopics(env, kafka.bootstrap(), new SinkDelivery(DeliveryGuarantee.AT_LEAST_ONCE, records),
                    stream -> stream.map(new dev.lfr.jobs.SlowDown<>(300)).map(new dev.lfr.jobs.FailOnce<>(3)));
            env.execute("dead letters across a failure");

            assertThat(dev.lfr.jobs.FailOnce.FAILED.get()).as("the failure was injected").isTrue();
            List<Long> offsets = kafka.readAll(Topics.DEAD_LETTERS).stream()
                    .map(r -> decode(r.value(), DeadLetter.class).getSourceOffset()).toList();
            if (records == DeliveryGuarantee.EXACTLY_ONCE) {
                assertThat(offsets).containsExactlyInAnyOrder(0L, 1L);
            } else {
                // At least once promises no loss, not a duplicate: the failed attempt's producer may be closed before
                // its batch reached the broker, so its copies may or may not be there.
                assertThat(offsets).containsOnly(0L, 1L).hasSizeBetween(2, 4);
                assertThat(offsets.stream().distinct()).containsExactlyInAnyOrder(0L, 1L);
            }
        }
    }

    /** Topics, a deployment of {@code cameras}, and a watchlist with Colin Powell enrolled from his first photo. */
    static void deployColinWatchlist(LocalKafka kafka, Path lfw, List<String> cameras) throws Exception {
        kafka.createTopics(Topics.ALL.toArray(String[]::new));
        kafka.produce(Topics.DEPLOYMENTS, List.of(Records.avro(Records.deployment("d1", cameras, 0, 1_000_000,
                DeploymentStatus.ACTIVE))));
        kafka.produce(Topics.WATCHLIST, List.of(Records.avro(dev.lfr.jobs.Enrolments.enrol(lfw, "colin", "Colin_Powell/Colin_Powell_0001.jpg"))));
    }

    /** The job on bounded sources of every topic; {@code frames} may add test operators to the frame stream. */
    static void buildOnTopics(StreamExecutionEnvironment env, String bs,
                                      java.util.function.UnaryOperator<DataStream<RawRecord>> frames) {
        buildOnTopics(env, bs, SinkDelivery.defaults(), frames);
    }

    static void buildOnTopics(StreamExecutionEnvironment env, String bs, SinkDelivery delivery,
                              java.util.function.UnaryOperator<DataStream<RawRecord>> frames) {
        LiveMatchJob.build(new LiveMatchJob.Sources(frames.apply(source(env, bs, Topics.FRAMES)),
                        source(env, bs, Topics.DEPLOYMENTS), source(env, bs, Topics.WATCHLIST),
                        source(env, bs, Topics.ADJUDICATIONS)),
                LiveMatchJob.kafkaSinks(bs, "lfr-test", delivery), LiveMatchJob.Config.defaults());
    }

    private static DataStream<RawRecord> source(StreamExecutionEnvironment env, String bs, String topic) {
        return env.fromSource(KafkaWiring.source(bs, topic, "test", true), WatermarkStrategy.noWatermarks(), topic);
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> T decode(byte[] bytes, Class<T> type) {
        return dev.lfr.schemas.AvroBytes.decode(bytes, type);
    }

}
