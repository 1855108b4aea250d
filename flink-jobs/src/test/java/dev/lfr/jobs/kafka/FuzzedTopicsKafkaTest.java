package dev.lfr.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.jobs.Enrolments;
import dev.lfr.jobs.LiveMatchJob;
import dev.lfr.jobs.Records;
import dev.lfr.jobs.fuzz.HostileRecords;
import dev.lfr.jobs.ingest.InputRules;
import dev.lfr.jobs.ingest.RawRecord;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.DeadLetter;
import dev.lfr.schemas.DeadLetterReason;
import dev.lfr.schemas.DeploymentMetrics;
import dev.lfr.schemas.MatchAlert;
import dev.lfr.testkit.LocalKafka;
import dev.lfr.topics.Topics;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.engine.FaceResult;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecoder;
import dev.lfr.udfs.model.ModelStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.engine.SourceOfRandomness;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * A bounded fuzz run against the real job on the real broker: hostile records on every input topic (real faces
 * among the frames, so the models and the index are reached), around one real deployment and one enrolled person.
 * The job must finish its input without a failure (no restart strategy: any failure fails the run), account for
 * every frame (frames in = frames counted in the metrics + frame dead letters), alert on nobody below the
 * deployment's threshold, and put no crop of anybody but the enrolled person on the alerts topic.
 */
class FuzzedTopicsKafkaTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension();

    private static final int PER_TOPIC = 40;

    /** The run's seed, named in any failure; {@code -Dlfr.fuzz.seed=N} draws the same records again. */
    private static final long SEED = Long.getLong("lfr.fuzz.seed", new Random().nextLong());

    @RegisterExtension
    static final TestExecutionExceptionHandler SEED_ON_FAILURE = (context, e) -> {
        throw new AssertionError("fuzz seed " + SEED + " (-Dlfr.fuzz.seed=" + SEED + " to rerun it): " + e.getMessage(), e);
    };

    @Test
    void theJobSurvivesAndStaysHonestUnderHostileInputOnEveryTopic() throws Exception {
        Path lfw = dev.lfr.jobs.SharedLfw.dir();
        InputRules rules = LiveMatchJob.Config.defaults().input();
        byte[] colin = Files.readAllBytes(lfw.resolve("Colin_Powell/Colin_Powell_0002.jpg"));
        byte[] zico = Files.readAllBytes(lfw.resolve("Zico/Zico_0001.jpg"));
        HostileRecords hostile = new HostileRecords(Instant.now(), List.of(colin, zico), rules.embeddingModel(),
                rules.dimension());
        // sampling outside a property draws from jqwik's per-thread randomness: seeded here, the draw repeats
        SourceOfRandomness.create(Long.toString(SEED));
        try (LocalKafka kafka = new LocalKafka()) {
            PoisonPillKafkaTest.controlTopics(kafka);
            produce(kafka, Topics.DEPLOYMENTS, sample(hostile.deploymentRecords()));
            produce(kafka, Topics.WATCHLIST, sample(hostile.watchlistRecords()));
            produce(kafka, Topics.ADJUDICATIONS, sample(hostile.adjudicationRecords()));
            // the real deployment and enrolment come last, so no fuzzed record of the same key replaces them
            PoisonPillKafkaTest.keyed(kafka, Topics.DEPLOYMENTS, "d1", AvroBytes.encode(PoisonPillKafkaTest.deployment(0.5f)));
            PoisonPillKafkaTest.enrolColin(kafka, lfw);
            List<RawRecord> frames = new ArrayList<>(sample(hostile.frameRecords()));
            frames.add(Records.raw(AvroBytes.encode(Records.frame(HostileRecords.KEPT_CAMERA, 1_000, zico))));
            frames.add(Records.raw(AvroBytes.encode(Records.frame(HostileRecords.KEPT_CAMERA, 5_000, colin))));
            produce(kafka, Topics.FRAMES, frames);

            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(1);
            LiveMatchJobKafkaTest.buildOnTopics(env, kafka.bootstrap(), s -> s.map(new dev.lfr.jobs.DelayFirst<>(3000)));
            env.execute("fuzzed topics"); // no restart strategy: a failure of the job throws here

            List<DeadLetter> deadLetters = values(kafka, Topics.DEAD_LETTERS, DeadLetter.class);
            assertThat(deadLetters).allSatisfy(d -> assertThat(d.getReason()).isNotEqualTo(DeadLetterReason.UNKNOWN));
            long frameDeadLetters = deadLetters.stream().filter(d -> d.getSourceTopic().equals(Topics.FRAMES)).count();
            long framesCounted = values(kafka, Topics.METRICS, DeploymentMetrics.class).stream()
                    .filter(m -> m.getCamera() == null).mapToLong(DeploymentMetrics::getFrames).sum();
            assertThat(framesCounted + frameDeadLetters).as("frames in = frames counted + frame dead letters")
                    .isEqualTo(frames.size());
            for (String control : List.of(Topics.DEPLOYMENTS, Topics.WATCHLIST, Topics.ADJUDICATIONS)) {
                assertThat(deadLetters).as("some hostile records of " + control + " were refused")
                        .anySatisfy(d -> assertThat(d.getSourceTopic()).isEqualTo(control));
            }

            List<MatchAlert> alerts = values(kafka, Topics.ALERTS, MatchAlert.class);
            assertThat(alerts).as("the enrolled person still alerts").isNotEmpty();
            assertThat(alerts).anySatisfy(a -> assertThat(a.getDeployment()).isEqualTo("d1"));
            assertThat(alerts).allSatisfy(a -> {
                assertThat(a.getSubject()).isEqualTo("colin");
                if (a.getDeployment().equals("d1")) {
                    assertThat(a.getBestScore()).isGreaterThanOrEqualTo(0.5f);
                } else {
                    // a fuzzed deployment that is valid may cover a fuzzed camera id (one that is odd but allowed)
                    // whose frame shows Colin Powell: an honest alert, never on the camera only d1 covers
                    assertThat(a.getDeployment()).startsWith("d-fuzz-");
                    assertThat(a.getCameras()).doesNotContain(HostileRecords.KEPT_CAMERA);
                    assertThat(a.getBestScore()).isGreaterThanOrEqualTo(rules.minThreshold());
                }
            });
            assertCropsShowOnly(lfw, alerts);
        }
    }

    /** Every crop on the alerts topic is of the enrolled person: nearer to him than to the passer-by, and close. */
    private static void assertCropsShowOnly(Path lfw, List<MatchAlert> alerts) throws Exception {
        float[] enrolled = Enrolments.descriptor(lfw.resolve("Colin_Powell/Colin_Powell_0001.jpg"));
        float[] passerBy = Enrolments.descriptor(lfw.resolve("Zico/Zico_0001.jpg"));
        try (FaceEngine engine = FaceEngine.withDefaults(ModelStore.ensureDefault(), Enrolments.MODEL)) {
            for (MatchAlert a : alerts) {
                byte[] crop = new byte[a.getBestCropJpeg().remaining()];
                a.getBestCropJpeg().duplicate().get(crop);
                try (FrameImage img = new ImageDecoder().decode(crop)) {
                    float[] v = engine.mainFace(img).flatMap(FaceResult::descriptor).orElseThrow().vector();
                    assertThat(dot(v, enrolled)).isGreaterThan(dot(v, passerBy)).isGreaterThan(0.4);
                }
            }
        }
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** A sample outside a property: every run differs unless the seed is given. */
    private static List<RawRecord> sample(Arbitrary<RawRecord> records) {
        return records.sampleStream().limit(PER_TOPIC).toList();
    }

    private static void produce(LocalKafka kafka, String topic, List<RawRecord> records) throws Exception {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (RawRecord r : records) {
            boolean compacted = topic.equals(Topics.DEPLOYMENTS) || topic.equals(Topics.WATCHLIST);
            // a compacted topic refuses keyless records: those are the broker's to refuse, not the job's
            out.add(new ProducerRecord<>(topic, compacted && r.key() == null ? "no-key".getBytes() : r.key(), r.value()));
        }
        kafka.produceKeyed(topic, out);
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> List<T> values(LocalKafka kafka, String topic,
                                                                                     Class<T> type) {
        List<T> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(topic)) {
            out.add(AvroBytes.decode(r.value(), type));
        }
        return out;
    }
}
