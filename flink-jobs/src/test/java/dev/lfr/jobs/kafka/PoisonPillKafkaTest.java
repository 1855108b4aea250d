package dev.lfr.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.jobs.Enrolments;
import dev.lfr.jobs.Records;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.DeadLetter;
import dev.lfr.schemas.DeadLetterReason;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.DeploymentStatus;
import dev.lfr.schemas.FrameEvent;
import dev.lfr.schemas.MatchAlert;
import dev.lfr.schemas.WatchlistUpdate;
import dev.lfr.testkit.LocalKafka;
import dev.lfr.topics.Topics;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The four ways one record used to take the system down or make it lie, each against the real broker (whose
 * default limits refuse record timestamps more than an hour ahead) and the real job on bounded topic sources: the
 * job must finish its input, dead-letter the record with a reason, and go on matching.
 */
class PoisonPillKafkaTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension();

    private static final dev.lfr.jobs.ingest.InputRules RULES = dev.lfr.jobs.LiveMatchJob.Config.defaults().input();
    private static final String COLIN_PROBE = "Colin_Powell/Colin_Powell_0002.jpg";

    /** A camera whose clock is 30 years ahead: before, its record's timestamp crash-looped every sink. */
    @Test
    void aFrameFromACameraWithAWrongClockIsDeadLetteredAndTheJobRunsOn() throws Exception {
        Path lfw = dev.lfr.jobs.SharedLfw.dir();
        try (LocalKafka kafka = new LocalKafka()) {
            deployColin(kafka, lfw, 0.5f);
            byte[] colin = Files.readAllBytes(lfw.resolve(COLIN_PROBE));
            FrameEvent ahead = FrameEvent.newBuilder(Records.frame("cam-1", 0, colin))
                    .setCaptureTime(Instant.now().plus(Duration.ofDays(365L * 30))).build();
            kafka.produce(Topics.FRAMES, List.of(AvroBytes.encode(ahead),
                    AvroBytes.encode(Records.frame("cam-1", 1000, colin))));

            runJob(kafka);

            assertThat(deadLetters(kafka)).extracting(DeadLetter::getSourceTopic, DeadLetter::getReason)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(Topics.FRAMES, DeadLetterReason.CLOCK_SKEW));
            assertThat(alerts(kafka)).extracting(MatchAlert::getSubject).containsOnly("colin").isNotEmpty();
        }
    }

    /** Before, a NaN threshold made every passer-by a match and put their crops on the alerts topic. */
    @Test
    void aDeploymentWithANonFiniteThresholdIsRefusedAndNobodyMatches() throws Exception {
        Path lfw = dev.lfr.jobs.SharedLfw.dir();
        try (LocalKafka kafka = new LocalKafka()) {
            deployColin(kafka, lfw, Float.NaN);
            kafka.produce(Topics.FRAMES, List.of(
                    AvroBytes.encode(Records.frame("cam-1", 1000, Files.readAllBytes(lfw.resolve("Zico/Zico_0001.jpg"))))));

            runJob(kafka);

            assertThat(alerts(kafka)).isEmpty();
            assertThat(deadLetters(kafka)).extracting(DeadLetter::getSourceTopic, DeadLetter::getReason)
                    .contains(org.assertj.core.groups.Tuple.tuple(Topics.DEPLOYMENTS, DeadLetterReason.INVALID_RECORD));
        }
    }

    /** Before, a tombstone on the compacted watchlist topic was dead-lettered and the subject kept alerting. */
    @Test
    void aTombstoneOnTheWatchlistTopicDeletesTheSubject() throws Exception {
        Path lfw = dev.lfr.jobs.SharedLfw.dir();
        try (LocalKafka kafka = new LocalKafka()) {
            deployColin(kafka, lfw, 0.5f);
            keyed(kafka, Topics.WATCHLIST, "wl-d1/colin", null);
            kafka.produce(Topics.FRAMES, List.of(
                    AvroBytes.encode(Records.frame("cam-1", 1000, Files.readAllBytes(lfw.resolve(COLIN_PROBE))))));

            runJob(kafka);

            assertThat(alerts(kafka)).isEmpty();
            assertThat(deadLetters(kafka)).isEmpty();
            // and the start-up read agrees: no entry, no dead letter
            assertThat(ControlTopicReads.kafka(kafka.bootstrap(), RULES).watchlist().current()).isEmpty();
        }
    }

    /**
     * Before, an update whose version lay far ahead (a writer counting in nanoseconds, or a forged {@code Long.MAX_VALUE})
     * held its subject for ever: every later enrolment was ignored as older, even after a tombstone. Here such an update
     * puts another man's face under Colin Powell's key; it must be refused, and his real enrolment must still count.
     */
    @Test
    void aWatchlistVersionFromTheFutureIsRefusedAndCannotHoldTheSubject() throws Exception {
        Path lfw = dev.lfr.jobs.SharedLfw.dir();
        try (LocalKafka kafka = new LocalKafka()) {
            controlTopics(kafka);
            keyed(kafka, Topics.DEPLOYMENTS, "d1", AvroBytes.encode(deployment(0.5f)));
            WatchlistUpdate forged = WatchlistUpdate.newBuilder(Enrolments.enrol(lfw, "colin", "Zico/Zico_0001.jpg"))
                    .setVersion(Long.MAX_VALUE).build();
            keyed(kafka, Topics.WATCHLIST, "wl-d1/colin", AvroBytes.encode(forged));
            enrolColin(kafka, lfw);
            kafka.produce(Topics.FRAMES, List.of(
                    AvroBytes.encode(Records.frame("cam-1", 1000, Files.readAllBytes(lfw.resolve(COLIN_PROBE))))));

            runJob(kafka);

            assertThat(deadLetters(kafka)).extracting(DeadLetter::getSourceTopic, DeadLetter::getReason)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(Topics.WATCHLIST, DeadLetterReason.CLOCK_SKEW));
            assertThat(alerts(kafka)).extracting(MatchAlert::getSubject).containsOnly("colin").isNotEmpty();
            assertThat(ControlTopicReads.kafka(kafka.bootstrap(), RULES).watchlist().current())
                    .singleElement().satisfies(u -> assertThat(u.version()).isEqualTo(1));
        }
    }

    /**
     * Before, the start-up read of the control topics decoded without the job's allocation caps: one record claiming
     * a 2 GB string made every later submission allocate 2 GB (and die of it on a smaller heap).
     */
    @Test
    void aHostileRecordOnAControlTopicCannotExhaustTheStartUpRead() throws Exception {
        try (LocalKafka kafka = new LocalKafka()) {
            controlTopics(kafka);
            // a Deployment whose id claims 2^30 bytes and brings none; an update whose vector claims 2^28 floats
            byte[] hugeString = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x08};
            keyed(kafka, Topics.DEPLOYMENTS, "evil", hugeString);
            keyed(kafka, Topics.DEPLOYMENTS, "d1", AvroBytes.encode(deployment(0.5f)));
            keyed(kafka, Topics.WATCHLIST, "wl/evil", hugeVector());

            AtomicReference<List<Deployment>> deployments = new AtomicReference<>();
            AtomicReference<List<dev.lfr.udfs.watchlist.LiveWatchlist.Update>> watchlist = new AtomicReference<>();
            AtomicLong allocated = new AtomicLong();
            Thread reader = new Thread(() -> {
                var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
                long before = threads.getCurrentThreadAllocatedBytes();
                deployments.set(ControlTopicReads.kafka(kafka.bootstrap(), RULES).deployments().current());
                watchlist.set(ControlTopicReads.kafka(kafka.bootstrap(), RULES).watchlist().current());
                allocated.set(threads.getCurrentThreadAllocatedBytes() - before);
            });
            reader.start();
            reader.join(60_000);

            assertThat(watchlist.get()).as("the read finished").isNotNull();
            assertThat(deployments.get()).extracting(Deployment::getId).containsExactly("d1");
            assertThat(watchlist.get()).isEmpty();
            assertThat(allocated.get()).as("bytes allocated by the read").isLessThan(256L << 20);
        }
    }

    /** A WatchlistUpdate with watchlist "wl", subject "evil", then an array block claiming 2^28 items. */
    private static byte[] hugeVector() {
        WatchlistUpdate head = WatchlistUpdate.newBuilder().setWatchlist("wl").setSubject("evil").setVersion(1)
                .setOp(dev.lfr.schemas.WatchlistOp.UPSERT).setEmbeddingModel(Enrolments.MODEL).setVector(List.of()).build();
        byte[] bytes = AvroBytes.encode(head);
        // the encoding ends: union branch 1 (array), block count 0, then three null unions; replace from the count on
        int countAt = bytes.length - 4;
        byte[] lie = java.util.Arrays.copyOf(bytes, countAt + 5);
        long zigzag = (1L << 28) << 1;
        for (int i = 0; i < 5; i++) {
            lie[countAt + i] = (byte) ((zigzag & 0x7F) | (i < 4 ? 0x80 : 0));
            zigzag >>>= 7;
        }
        return lie;
    }

    static Deployment deployment(float threshold) {
        Deployment d = Records.deployment("d1", List.of("cam-1"), 0, 1_000_000, DeploymentStatus.ACTIVE);
        d.setThreshold(threshold);
        return d;
    }

    /** The topics, the control topics compacted as in production (k8s/), so tombstones and keys mean what they do there. */
    static void controlTopics(LocalKafka kafka) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrap()))) {
            admin.createTopics(Topics.ALL.stream().map(t -> {
                NewTopic topic = new NewTopic(t, 1, (short) 1);
                return t.equals(Topics.DEPLOYMENTS) || t.equals(Topics.WATCHLIST)
                        ? topic.configs(Map.of("cleanup.policy", "compact")) : topic;
            }).toList()).all().get();
        }
    }

    /** The topics, deployment d1 of cam-1 at {@code threshold}, and Colin Powell on its watchlist. */
    static void deployColin(LocalKafka kafka, Path lfw, float threshold) throws Exception {
        controlTopics(kafka);
        keyed(kafka, Topics.DEPLOYMENTS, "d1", AvroBytes.encode(deployment(threshold)));
        enrolColin(kafka, lfw);
    }

    static void enrolColin(LocalKafka kafka, Path lfw) throws Exception {
        keyed(kafka, Topics.WATCHLIST, "wl-d1/colin",
                AvroBytes.encode(Enrolments.enrol(lfw, "colin", "Colin_Powell/Colin_Powell_0001.jpg")));
    }

    static void keyed(LocalKafka kafka, String topic, String key, byte[] value) throws Exception {
        kafka.produceKeyed(topic, List.of(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)));
    }

    /** The job on bounded sources of every topic; it must finish (a failure would throw here). */
    static void runJob(LocalKafka kafka) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        LiveMatchJobKafkaTest.buildOnTopics(env, kafka.bootstrap(), frames -> frames.map(new dev.lfr.jobs.DelayFirst<>(3000)));
        env.execute("poison pills");
    }

    static List<MatchAlert> alerts(LocalKafka kafka) {
        return kafka.readAll(Topics.ALERTS).stream().map(r -> AvroBytes.decode(r.value(), MatchAlert.class)).toList();
    }

    static List<DeadLetter> deadLetters(LocalKafka kafka) {
        return kafka.readAll(Topics.DEAD_LETTERS).stream().map(r -> AvroBytes.decode(r.value(), DeadLetter.class)).toList();
    }
}
