package dev.lfr.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lfr.jobs.BiometricScan;
import dev.lfr.jobs.Enrolments;
import dev.lfr.jobs.LiveMatchJob;
import dev.lfr.jobs.LiveMatchOptions;
import dev.lfr.jobs.Records;
import dev.lfr.jobs.SinkDelivery;
import dev.lfr.testkit.LocalKafka;
import dev.lfr.topics.Topics;
import dev.lfr.udfs.embed.FaceDescriptor;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.engine.FaceResult;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecoder;
import dev.lfr.udfs.model.ModelStore;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The privacy guarantee over everything the running job leaves behind: its output topics, dead letters, log file,
 * checkpoint and savepoint files hold no descriptor of a face that did not match (descriptors computed again,
 * independently, by the face engine) and no image of one (every JPEG found must show the watchlist subject).
 * Positive controls show the searches find what is there: the enrolled vector in the state files, the alert's crop
 * in the alert topic.
 */
class JobPrivacyTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension();

    private static final String[] PASSERS_BY = {"Zico/Zico_0001.jpg", "Aaron_Eckhart/Aaron_Eckhart_0001.jpg",
            "Abdullah/Abdullah_0001.jpg", "Adam_Scott/Adam_Scott_0001.jpg", "Adrien_Brody/Adrien_Brody_0001.jpg"};
    private static final String COLIN = "Colin_Powell/Colin_Powell_0002.jpg";

    @Test
    void noTraceOfAPasserByInTopicsLogsCheckpointsOrSavepoints(@TempDir Path tmp) throws Exception {
        Path lfw = dev.lfr.jobs.SharedLfw.dir();
        float[] enrolled = Enrolments.descriptor(lfw.resolve("Colin_Powell/Colin_Powell_0001.jpg"));
        List<float[]> passersBy = nonMatchingDescriptors(lfw, enrolled);
        assertThat(passersBy).hasSizeGreaterThanOrEqualTo(PASSERS_BY.length);

        Path checkpoints = tmp.resolve("checkpoints");
        Path savepoints = tmp.resolve("savepoints");
        Map<String, byte[]> evidence = new LinkedHashMap<>();
        try (LocalKafka kafka = new LocalKafka()) {
            LiveMatchJobKafkaTest.deployColinWatchlist(kafka, lfw, List.of("cam-1", "cam-2"));
            List<byte[]> frames = new ArrayList<>();
            frames.add(Records.avro(Records.frame("cam-1", 1000, Files.readAllBytes(lfw.resolve(COLIN)))));
            for (int i = 0; i < PASSERS_BY.length; i++) {
                byte[] photo = Files.readAllBytes(lfw.resolve(PASSERS_BY[i]));
                // the first passer-by stays in view for four frames: embedded twice (every third sighting), so
                // the job also holds the mean of their faces (walk-past fusion) while the track lives
                for (int k = 0; k < (i == 0 ? 4 : 1); k++) {
                    frames.add(Records.avro(Records.frame("cam-2", 1000 + 2500L * i + 200L * k, photo)));
                }
            }
            // a passer-by on a camera of no deployment: a dead letter without the image
            frames.add(Records.avro(Records.frame("cam-9", 2000, Files.readAllBytes(lfw.resolve(PASSERS_BY[1])))));
            // a late frame moves event time on, so the walk-past ends and the first metric windows close
            frames.add(Records.avro(Records.frame("cam-1", 40_000, Files.readAllBytes(lfw.resolve(PASSERS_BY[0])))));
            kafka.produce(Topics.FRAMES, frames);

            Configuration conf = new Configuration();
            conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
            conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
            conf.set(CheckpointingOptions.FS_SMALL_FILE_THRESHOLD, MemorySize.ZERO); // state in files of its own
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(1);
            env.enableCheckpointing(300);
            String bs = kafka.bootstrap();
            LiveMatchJob.Sources unbounded = LiveMatchJob.kafkaSources(env, bs, "privacy-test");
            LiveMatchJob.build(new LiveMatchJob.Sources(unbounded.frames().map(new dev.lfr.jobs.DelayFirst<>(3000)),
                            unbounded.deployments(), unbounded.watchlist(), unbounded.adjudications()),
                    LiveMatchJob.kafkaSinks(bs, "lfr-test", SinkDelivery.defaults()), LiveMatchJob.Config.from(
                            Configuration.fromMap(Map.of(LiveMatchOptions.TRACK_FUSION.key(), "true",
                                    LiveMatchOptions.METRICS_WINDOW.key(), "10s"))));
            JobClient job = env.executeAsync("privacy test");
            try {
                awaitRecords(kafka, Topics.METRICS, 2);
                awaitRecords(kafka, Topics.ALERTS, 2); // the alert and its completion: the walk-past ended
                job.triggerSavepoint(savepoints.toUri().toString(), SavepointFormatType.CANONICAL).get();
                Thread.sleep(1000); // a few more checkpoints, taken after every frame was processed
            } finally {
                job.cancel().get();
            }
            for (String topic : List.of(Topics.ALERTS, Topics.METRICS, Topics.DEAD_LETTERS)) {
                evidence.put("topic " + topic, topicBytes(kafka, topic));
            }
        }
        byte[] checkpointBytes = filesUnder(checkpoints);
        byte[] savepointBytes = filesUnder(savepoints);
        evidence.put("checkpoints", checkpointBytes);
        evidence.put("savepoints", savepointBytes);
        Path log = Path.of("target/test-job.log");
        assertThat(log).exists();
        byte[] logBytes = Files.readAllBytes(log);
        assertThat(new String(logBytes, java.nio.charset.StandardCharsets.UTF_8)).contains("privacy test");
        evidence.put("log", logBytes);

        // positive controls: the watchlist vector is in broadcast state, the alert carries the subject's crop
        assertThat(BiometricScan.holds(checkpointBytes, enrolled)).as("enrolled vector in the checkpoint").isTrue();
        assertThat(BiometricScan.holds(savepointBytes, enrolled)).as("enrolled vector in the savepoint").isTrue();
        assertThat(jpegsIn(evidence.get("topic " + Topics.ALERTS))).isNotEmpty();

        try (FaceEngine engine = FaceEngine.withDefaults(ModelStore.ensureDefault(), Enrolments.MODEL)) {
            for (Map.Entry<String, byte[]> e : evidence.entrySet()) {
                for (float[] d : passersBy) {
                    assertThat(BiometricScan.holds(e.getValue(), d)).as("a passer-by's descriptor in " + e.getKey()).isFalse();
                }
                for (byte[] jpeg : jpegsIn(e.getValue())) {
                    assertThat(similarity(engine, jpeg, enrolled)).as("an image in " + e.getKey() + " shows the subject")
                            .isGreaterThan(1 - engine.embedder().spec().verifyThreshold().floatValue());
                }
            }
        }
        assertThat(jpegsIn(evidence.get("topic " + Topics.DEAD_LETTERS))).isEmpty();
    }

    /** Every face the engine finds in the passers-by frames, and any face in the subject's frame that is not him. */
    private static List<float[]> nonMatchingDescriptors(Path lfw, float[] enrolled) throws Exception {
        List<float[]> out = new ArrayList<>();
        try (FaceEngine engine = FaceEngine.withDefaults(ModelStore.ensureDefault(), Enrolments.MODEL)) {
            List<String> images = new ArrayList<>(List.of(PASSERS_BY));
            images.add(COLIN);
            for (String image : images) {
                try (FrameImage img = new ImageDecoder().decode(lfw.resolve(image))) {
                    for (FaceResult f : engine.analyse(img)) {
                        f.descriptor().map(FaceDescriptor::vector)
                                .filter(v -> !image.equals(COLIN) || dot(v, enrolled) < 0.3f)
                                .ifPresent(out::add);
                    }
                }
            }
        }
        return out;
    }

    private static float similarity(FaceEngine engine, byte[] jpeg, float[] enrolled) throws Exception {
        try (FrameImage img = new ImageDecoder().decode(jpeg)) {
            return engine.mainFace(img).flatMap(FaceResult::descriptor).map(d -> dot(d.vector(), enrolled)).orElse(-1f);
        }
    }

    private static float dot(float[] a, float[] b) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** Each JPEG (start-of-image to end-of-image marker) in the bytes. */
    static List<byte[]> jpegsIn(byte[] bytes) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i + 3 < bytes.length; i++) {
            if ((bytes[i] & 0xFF) == 0xFF && (bytes[i + 1] & 0xFF) == 0xD8 && (bytes[i + 2] & 0xFF) == 0xFF) {
                for (int j = i + 3; j + 1 < bytes.length; j++) {
                    if ((bytes[j] & 0xFF) == 0xFF && (bytes[j + 1] & 0xFF) == 0xD9) {
                        out.add(java.util.Arrays.copyOfRange(bytes, i, j + 2));
                        i = j + 1;
                        break;
                    }
                }
            }
        }
        return out;
    }

    private static void awaitRecords(LocalKafka kafka, String topic, int n) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 120_000;
        while (kafka.readAll(topic).size() < n) {
            assertThat(System.currentTimeMillis()).as("waiting for " + n + " records on " + topic).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static byte[] topicBytes(LocalKafka kafka, String topic) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(topic)) {
            all.writeBytes(r.key() == null ? new byte[0] : r.key());
            all.writeBytes(r.value());
        }
        return all.toByteArray();
    }

    private static byte[] filesUnder(Path dir) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                all.writeBytes(Files.readAllBytes(p));
            }
        }
        assertThat(all.size()).as("files under " + dir).isGreaterThan(0);
        return all.toByteArray();
    }
}
