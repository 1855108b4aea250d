package dev.lfr.loadtest.bench;

import dev.lfr.jobs.LiveMatchJob;
import dev.lfr.loadtest.replay.AlertMonitor;
import dev.lfr.loadtest.replay.LocalStack;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.FrameEvent;
import dev.lfr.schemas.ImageEncoding;
import dev.lfr.schemas.WatchlistOp;
import dev.lfr.schemas.WatchlistUpdate;
import dev.lfr.testkit.LocalKafka;
import dev.lfr.topics.KafkaClients;
import dev.lfr.topics.Topics;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.engine.FaceResult;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecoder;
import dev.lfr.udfs.index.WatchlistIndexes;
import dev.lfr.udfs.model.ModelStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A first start on a large watchlist topic: N entries ({@link ClusteredRows}) plus one real face from the sample
 * photos, on an in-process broker; then the live job is submitted (a MiniCluster in this JVM, parallelism 1) and a
 * camera sends that face's photo twice a second. The figure is the time from submitting the job to the first alert:
 * the job's start, the matcher's read of the whole topic, the watchlist's load, and the first frames.
 */
public final class StartupBenchmark {
    /** One run; {@code topicMegabytes} is the encoded size of the watchlist records produced. */
    public record Result(int entries, String indexChoice, double produceSeconds, double topicMegabytes,
                         double firstAlertSeconds, int framesSent, String subject) {}

    private StartupBenchmark() {}

    public static Result run(ModelStore models, String embeddingModel, int entries, WatchlistIndexes.Choice choice,
                             int timeoutSeconds) throws Exception {
        Path photo = null;
        float[] template = null;
        int width = 0;
        int height = 0;
        ImageDecoder decoder = new ImageDecoder();
        try (FaceEngine engine = FaceEngine.withDefaults(models, embeddingModel)) {
            for (Path p : models.samples()) {
                try (FrameImage img = decoder.decode(p)) {
                    Optional<float[]> v = engine.mainFace(img).flatMap(FaceResult::descriptor).map(d -> d.vector());
                    if (v.isPresent()) {
                        photo = p;
                        template = v.get();
                        width = img.width();
                        height = img.height();
                        break;
                    }
                }
            }
        }
        if (photo == null) {
            throw new IllegalStateException("no sample photo has a usable face");
        }
        byte[] jpeg = Files.readAllBytes(photo);
        String subject = photo.getFileName().toString();
        try (LocalKafka kafka = new LocalKafka()) {
            String bs = kafka.bootstrap();
            kafka.createTopics(Topics.ALL.toArray(String[]::new));
            long t0 = System.nanoTime();
            long bytes = produceEntries(bs, embeddingModel, template.length, entries);
            double produceSeconds = (System.nanoTime() - t0) / 1e9;

            LiveMatchJob.Config config = LiveMatchJob.Config.defaults().withEmbeddingModel(embeddingModel)
                    .withWatchlistIndex(choice);
            float threshold = (float) (1 - models.spec(embeddingModel).searchThreshold());
            long submitted = System.nanoTime();
            try (LocalStack stack = LocalStack.start(bs, true, "startup-bench", "wl", embeddingModel,
                    Map.of(subject, new LocalStack.Subject(template)), List.of("cam-1"), threshold, new LocalStack.LocalJob(config, 1));
                 AlertMonitor alerts = new AlertMonitor(bs, Topics.ALERTS, Set.of(stack.deploymentId()), (a, ms) -> { });
                 KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bs)) {
                int sent = 0;
                long deadline = submitted + timeoutSeconds * 1_000_000_000L;
                while (alerts.alerts().isEmpty()) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("no alert within " + timeoutSeconds + " s of submitting the job");
                    }
                    FrameEvent f = FrameEvent.newBuilder().setCamera("cam-1").setSequence(sent++)
                            .setCaptureTime(Instant.now()).setWidth(width).setHeight(height).setEncoding(ImageEncoding.JPEG)
                            .setImage(ByteBuffer.wrap(jpeg)).build();
                    producer.send(new ProducerRecord<>(Topics.FRAMES, "cam-1".getBytes(StandardCharsets.UTF_8),
                            AvroBytes.encode(f)));
                    producer.flush();
                    Thread.sleep(500);
                }
                return new Result(entries, choice.name().toLowerCase(java.util.Locale.ROOT), produceSeconds,
                        bytes / 1e6, (System.nanoTime() - submitted) / 1e9, sent, subject);
            }
        }
    }

    /** N clustered entries of watchlist {@code wl}, produced as the enrolment tools would; returns their bytes. */
    private static long produceEntries(String bootstrap, String model, int dim, int entries) throws Exception {
        ClusteredRows rows = new ClusteredRows(dim, 42);
        Random r = new Random(42);
        long bytes = 0;
        try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(bootstrap)) {
            for (int i = 0; i < entries; i++) {
                float[] v = rows.row(r);
                List<Float> boxed = new ArrayList<>(dim);
                for (float x : v) {
                    boxed.add(x);
                }
                WatchlistUpdate u = WatchlistUpdate.newBuilder().setWatchlist("wl").setSubject("s-" + i).setVersion(1)
                        .setOp(WatchlistOp.UPSERT).setEmbeddingModel(model).setVector(boxed).build();
                byte[] value = AvroBytes.encode(u);
                bytes += value.length;
                p.send(new ProducerRecord<>(Topics.WATCHLIST, ("wl/s-" + i).getBytes(StandardCharsets.UTF_8), value));
            }
            p.flush();
        }
        return bytes;
    }
}
