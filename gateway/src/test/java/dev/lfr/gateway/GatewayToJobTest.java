package dev.lfr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.jobs.Enrolments;
import dev.lfr.jobs.LiveMatchJob;
import dev.lfr.jobs.Records;
import dev.lfr.jobs.SharedLfw;
import dev.lfr.jobs.SinkDelivery;
import dev.lfr.jobs.kafka.ControlTopicReads;
import dev.lfr.jobs.kafka.WatchlistTopic;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.DeploymentStatus;
import dev.lfr.schemas.MatchAlert;
import dev.lfr.schemas.WatchlistOp;
import dev.lfr.schemas.WatchlistUpdate;
import dev.lfr.testkit.LocalKafka;
import dev.lfr.topics.KafkaClients;
import dev.lfr.topics.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A camera to an alert with nothing synthetic between: a real clip of people walking towards a camera, streamed by
 * ffmpeg as H.264 in MPEG-TS over UDP, read by the gateway into a real broker, matched by the live job on a
 * MiniCluster against a watchlist holding one of the walkers (enrolled from a frame of the same clip).
 */
class GatewayToJobTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension();

    static final Path CLIP = Path.of(System.getProperty("lfr.shared.data", "../shared/data"), "facenet_pytorch", "_video",
            "walking_pedestrians.mp4");

    @Test
    void aWatchlistedWalkerInALiveH264StreamAlerts(@TempDir Path tmp) throws Exception {
        FfmpegCamera.assumeInstalled();
        Assumptions.assumeTrue(Files.isRegularFile(CLIP), "no " + CLIP + " (../shared/data): the clip this test streams");
        Path still = tmp.resolve("enrol.jpg");
        Process grab = new ProcessBuilder(FfmpegCamera.FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-ss", "1",
                "-i", CLIP.toString(), "-frames:v", "1", still.toString()).start();
        assertThat(grab.waitFor()).isZero();
        List<Float> walker = vector(Enrolments.descriptor(still)); // the largest face of the frame at 1 s
        // a control: someone who is not in the clip, on the same watchlist, must not be named
        List<Float> stranger = vector(Enrolments.descriptor(SharedLfw.dir().resolve("Colin_Powell/Colin_Powell_0001.jpg")));
        int port = FfmpegCamera.freePort();
        Path config = tmp.resolve("gateway.yaml");
        Files.writeString(config, "cameras:\n  - {id: gw-cam, url: 'udp://127.0.0.1:" + port + "', fps: 5}\n");
        try (LocalKafka kafka = new LocalKafka()) {
            String bs = kafka.bootstrap();
            KafkaClients.createTopics(bs, 1);
            kafka.produceKeyed(Topics.DEPLOYMENTS, List.of(new org.apache.kafka.clients.producer.ProducerRecord<>(Topics.DEPLOYMENTS,
                    "gw".getBytes(), Records.avro(Records.deployment("gw", List.of("gw-cam"), 0, Duration.ofHours(3).toMillis(),
                            DeploymentStatus.ACTIVE)))));
            WatchlistTopic watchlist = new WatchlistTopic(bs, Topics.WATCHLIST);
            kafka.produceKeyed(Topics.WATCHLIST, List.of(watchlist.record(entry("walker", walker)), watchlist.record(entry("colin", stranger))));

            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(1);
            env.enableCheckpointing(1000);
            LiveMatchJob.Config job = LiveMatchJob.Config.defaults();
            LiveMatchJob.build(LiveMatchJob.kafkaSources(env, bs, "gw-test"), LiveMatchJob.kafkaSinks(bs, "gw-test", SinkDelivery.defaults()),
                    job, ControlTopicReads.kafka(bs, job.input()));
            JobClient running = env.executeAsync("gateway to job");
            try (FfmpegCamera camera = FfmpegCamera.h264Udp(FfmpegCamera.clip(CLIP.toString()), true, "udp://127.0.0.1:" + port).start()) {
                Gateway gateway = new Gateway(GatewayConfig.read(config), KafkaClients.producer(bs), Topics.FRAMES, "127.0.0.1", 0, Map.<String, String>of()::get);
                try {
                    MatchAlert alert = awaitAlert(kafka, Duration.ofSeconds(120));
                    assertThat(alert.getSubject()).isEqualTo("walker");
                    assertThat(alert.getBestScore()).isGreaterThanOrEqualTo(0.5f); // the deployment's threshold
                    assertThat(alert.getCameras()).containsExactly("gw-cam");
                    assertThat(alert.getDeployment()).isEqualTo("gw");
                    assertThat(gateway.health().get(0).sent()).isPositive();
                    Thread.sleep(10_000); // two more loops of the clip
                    assertThat(kafka.readAll(Topics.ALERTS)).map(r -> AvroBytes.decode(r.value(), MatchAlert.class).getSubject())
                            .containsOnly("walker");
                } finally {
                    gateway.close();
                }
            } finally {
                running.cancel().get();
            }
        }
    }

    private static List<Float> vector(float[] v) {
        List<Float> out = new ArrayList<>(v.length);
        for (float x : v) {
            out.add(x);
        }
        return out;
    }

    private static WatchlistUpdate entry(String subject, List<Float> vector) {
        return WatchlistUpdate.newBuilder().setWatchlist("wl-gw").setSubject(subject).setVersion(1).setOp(WatchlistOp.UPSERT)
                .setEmbeddingModel(Enrolments.MODEL).setVector(vector).build();
    }

    private static MatchAlert awaitAlert(LocalKafka kafka, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            var alerts = kafka.readAll(Topics.ALERTS);
            if (!alerts.isEmpty()) {
                return AvroBytes.decode(alerts.get(0).value(), MatchAlert.class);
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("no alert within " + timeout.toSeconds() + " s of streaming");
    }
}
