package dev.lfr.governance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.governance.deployment.DeploymentRegistry;
import dev.lfr.governance.watchlist.EnrolmentRules;
import dev.lfr.governance.watchlist.ReferenceImages;
import dev.lfr.governance.watchlist.Watchlists;
import dev.lfr.jobs.Enrolments;
import dev.lfr.jobs.LiveMatchJob;
import dev.lfr.jobs.SharedLfw;
import dev.lfr.jobs.kafka.ControlTopicReads;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.DeadLetter;
import dev.lfr.schemas.DeadLetterReason;
import dev.lfr.schemas.FrameEvent;
import dev.lfr.schemas.ImageEncoding;
import dev.lfr.schemas.MatchAlert;
import dev.lfr.testkit.LocalKafka;
import dev.lfr.topics.KafkaClients;
import dev.lfr.topics.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle as the running job sees it, on a real broker with real faces: frames of a deployment that is
 * planned, ended or cancelled are dead letters; only while it is active does a watchlist subject alert.
 */
class GovernedJobKafkaTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension();

    @Test
    void onlyAnActiveDeploymentAlertsAndPlannedEndedOrCancelledOnesDeadLetterTheirFrames(@TempDir Path tmp) throws Exception {
        Path lfw = SharedLfw.dir();
        byte[] colin = Files.readAllBytes(lfw.resolve("Colin_Powell/Colin_Powell_0002.jpg"));
        try (LocalKafka kafka = new LocalKafka(); KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(kafka.bootstrap())) {
            String bs = kafka.bootstrap();
            KafkaClients.createTopics(bs, 1);
            Clock clock = Clock.systemUTC();
            DeploymentRegistry registry = new DeploymentRegistry(bs, GovernanceKafkaTest.POLICY, clock);
            registry.create(GovernanceKafkaTest.request("gate-1", "wl-gate", clock.instant()), "test");
            registry.create(GovernanceKafkaTest.request("gate-2", "wl-gate", clock.instant()), "test"); // the same cameras
            float[] template = Enrolments.descriptor(lfw.resolve("Colin_Powell/Colin_Powell_0001.jpg"));
            Watchlists wl = new Watchlists(bs, GovernanceKafkaTest.POLICY, new ReferenceImages(tmp), clock);
            wl.enrol("wl-gate", List.of(new EnrolmentRules.Candidate("colin", template, "fr-feature-512",
                    lfw.resolve("Colin_Powell/Colin_Powell_0001.jpg"), new EnrolmentRules.Provenance("w", "s", "l"))), null, "sgt",
                    false, wl.deployments());

            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(1);
            env.enableCheckpointing(1000);
            LiveMatchJob.Config config = LiveMatchJob.Config.defaults();
            LiveMatchJob.build(LiveMatchJob.kafkaSources(env, bs, "gate-test"), LiveMatchJob.kafkaSinks(bs, "gate-test",
                    dev.lfr.jobs.SinkDelivery.defaults()), config, ControlTopicReads.kafka(bs, config.input()));
            JobClient job = env.executeAsync("governed job");
            try {
                long planned = send(producer, colin);
                assertThat(awaitDeadLetter(kafka, planned)).isEqualTo(DeadLetterReason.OUTSIDE_DEPLOYMENT);

                registry.activate("gate-1", true, "insp", "go");
                assertThat(alerts(kafka)).isEmpty();
                MatchAlert alert = awaitAlert(kafka, producer, colin, "gate-1");
                assertThat(alert.getSubject()).isEqualTo("colin");

                registry.end("gate-1", "insp", "done");
                Instant ended = Instant.now();
                awaitGated(kafka, producer, colin);
                assertThat(alerts(kafka)).allSatisfy(a -> assertThat(a.getLastSeen()).isBefore(ended));

                registry.activate("gate-2", true, "insp", "again");
                assertThat(awaitAlert(kafka, producer, colin, "gate-2").getSubject()).isEqualTo("colin");
                registry.cancel("gate-2", "insp", "called off");
                Instant cancelled = Instant.now();
                awaitGated(kafka, producer, colin);
                assertThat(alerts(kafka)).allSatisfy(a -> assertThat(a.getLastSeen()).isBefore(cancelled));
            } finally {
                job.cancel().get();
            }
        }
    }

    /** Sends one frame of cam-1 captured now; returns its offset. */
    static long send(KafkaProducer<byte[], byte[]> producer, byte[] jpeg) throws Exception {
        FrameEvent f = FrameEvent.newBuilder().setCamera("cam-1").setSequence(System.nanoTime()).setCaptureTime(Instant.now())
                .setWidth(250).setHeight(250).setEncoding(ImageEncoding.JPEG).setImage(ByteBuffer.wrap(jpeg)).build();
        RecordMetadata m = producer.send(new ProducerRecord<>(Topics.FRAMES, "cam-1".getBytes(StandardCharsets.UTF_8),
                AvroBytes.encode(f))).get();
        return m.offset();
    }

    static DeadLetterReason awaitDeadLetter(LocalKafka kafka, long offset) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            for (var r : kafka.readAll(Topics.DEAD_LETTERS)) {
                DeadLetter d = AvroBytes.decode(r.value(), DeadLetter.class);
                if (d.getSourceTopic().equals(Topics.FRAMES) && d.getSourceOffset() == offset) {
                    return d.getReason();
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no dead letter for the frame at offset " + offset);
    }

    /**
     * Sends frames until the job, which reads deployments and frames independently, alerts on one for the deployment
     * (an earlier walk-past's completed record may arrive meanwhile).
     */
    static MatchAlert awaitAlert(LocalKafka kafka, KafkaProducer<byte[], byte[]> producer, byte[] jpeg, String deployment)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            send(producer, jpeg);
            Thread.sleep(1000);
            var found = alerts(kafka).stream().filter(a -> a.getDeployment().equals(deployment)).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
        }
        throw new AssertionError("no alert of " + deployment + " within 60 s of its activation");
    }

    /** Sends frames until one is dead-lettered as outside any active deployment; then waits for the alerts to settle. */
    static void awaitGated(LocalKafka kafka, KafkaProducer<byte[], byte[]> producer, byte[] jpeg) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            long offset = send(producer, jpeg);
            Thread.sleep(1000);
            boolean gated = kafka.readAll(Topics.DEAD_LETTERS).stream().map(r -> AvroBytes.decode(r.value(), DeadLetter.class))
                    .anyMatch(d -> d.getSourceOffset() == offset && d.getReason() == DeadLetterReason.OUTSIDE_DEPLOYMENT);
            if (gated) {
                long last = send(producer, jpeg); // a frame after the gate closed: it must not alert either
                assertThat(awaitDeadLetter(kafka, last)).isEqualTo(DeadLetterReason.OUTSIDE_DEPLOYMENT);
                return;
            }
        }
        throw new AssertionError("frames still pass 60 s after the deployment stopped");
    }

    static List<MatchAlert> alerts(LocalKafka kafka) {
        return kafka.readAll(Topics.ALERTS).stream().map(r -> AvroBytes.decode(r.value(), MatchAlert.class)).toList();
    }
}
