package dev.lfr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lfr.jobs.LiveMatchJob;
import dev.lfr.jobs.kafka.KafkaClients;
import dev.lfr.jobs.kafka.KafkaWiring;
import dev.lfr.jobs.kafka.WatchlistTopic;
import dev.lfr.loadtest.kafka.LocalKafka;
import dev.lfr.loadtest.replay.WalkPastComposer;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.DeploymentStatus;
import dev.lfr.schemas.FrameEvent;
import dev.lfr.schemas.ImageEncoding;
import dev.lfr.schemas.MatchAlert;
import dev.lfr.schemas.WatchlistOp;
import dev.lfr.schemas.WatchlistUpdate;
import dev.lfr.udfs.engine.FaceEngine;
import dev.lfr.udfs.engine.FaceResult;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.ImageDecoder;
import dev.lfr.udfs.image.JpegCrops;
import dev.lfr.udfs.quality.QualityGate;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The whole stack on one machine: a Kafka broker in-process (or {@code --bootstrap}), the live matching job on a
 * Flink MiniCluster, a watchlist enrolled from half of the faces in the sample photos, and walk-past frames of every
 * face (enrolled or not) replayed as several cameras. Alerts print as they arrive; the last line is a JSON summary
 * scored against the replay's own ground truth.
 */
@Command(name = "demo", description = {
        "Run the live matching job end to end on this machine: Kafka (in-process) + Flink (MiniCluster), a watchlist",
        "from half the faces of the sample photos (or --gallery DIR/<identity>/<images>), walk-past frames as N",
        "cameras; prints alerts as they arrive, then JSON: frames, faces, alerts, true_alerts, false_alerts, missed,",
        "p50_ms, p99_ms."})
final class DemoCommand extends LfrCommand implements Callable<Integer> {
    @Option(names = "--duration", paramLabel = "S", description = "seconds of replay (default 20)")
    int duration = 20;

    @Option(names = "--cameras", paramLabel = "N", description = "cameras (default 2)")
    int cameras = 2;

    @Option(names = "--fps", paramLabel = "F", description = "frames per second per camera (default 5)")
    int fps = 5;

    @Option(names = "--gallery", paramLabel = "DIR", description = "DIR/<identity>/<images>: identities with 2+ images; enrol the first image of every other one, walk past with the last")
    Path gallery;

    @Option(names = "--people", paramLabel = "N", description = "at most this many gallery identities (default 50)")
    int maxPeople = 50;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "use this Kafka broker instead of starting one")
    String bootstrap;

    /** A face to walk past: its crop, and the enrolment template when the identity is on the watchlist. */
    private record Person(String id, FrameImage walkCrop, float[] template) {}

    @Override
    public Integer call() throws Exception {
        if (duration < 1 || cameras < 1 || fps < 1 || maxPeople < 1) {
            throw new UserError("--duration, --cameras, --fps and --people must be positive");
        }
        EngineOptions engine = new EngineOptions();
        List<Person> people = people(engine);
        long enrolled = people.stream().filter(p -> p.template() != null).count();
        out().printf("%d people, %d on the watchlist; %d cameras at %d fps for %d s%n", people.size(), enrolled, cameras,
                fps, duration);
        LocalKafka local = bootstrap == null ? new LocalKafka() : null;
        String bs = bootstrap != null ? bootstrap : local.bootstrap();
        out().println("Kafka at " + bs + " (in another terminal: ./lfr alerts tail --bootstrap " + bs + ")");
        try {
            if (local != null) {
                local.createTopics(KafkaWiring.TOPICS.toArray(String[]::new));
            }
            return run(bs, engine, people);
        } finally {
            if (local != null) {
                local.close();
            }
        }
    }

    private int run(String bs, EngineOptions engine, List<Person> people) throws Exception {
        String model = engine.embedderId();
        String deploymentId = "demo-" + System.currentTimeMillis();
        List<String> cams = new ArrayList<>();
        for (int c = 1; c <= cameras; c++) {
            cams.add("cam-" + c);
        }
        float threshold = (float) (1 - engine.models().spec(model).searchThreshold());
        long now = System.currentTimeMillis();
        Deployment deployment = Deployment.newBuilder().setId(deploymentId).setCameras(cams)
                .setStart(Instant.ofEpochMilli(now - 3_600_000)).setEnd(Instant.ofEpochMilli(now + 3_600_000))
                .setWatchlist("demo").setThreshold(threshold).setStatus(DeploymentStatus.ACTIVE).build();
        List<WatchlistUpdate> watchlist = new ArrayList<>();
        for (Person p : people) {
            if (p.template() != null) {
                List<Float> v = new ArrayList<>();
                for (float x : p.template()) {
                    v.add(x);
                }
                watchlist.add(WatchlistUpdate.newBuilder().setWatchlist("demo").setSubject(p.id()).setVersion(now)
                        .setOp(WatchlistOp.UPSERT).setEmbeddingModel(model).setVector(v).build());
            }
        }
        new WatchlistTopic(bs, KafkaWiring.WATCHLIST).publish(watchlist);
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bs)) {
            producer.send(new ProducerRecord<>(KafkaWiring.DEPLOYMENTS, deploymentId.getBytes(StandardCharsets.UTF_8),
                    AvroBytes.encode(deployment))).get();

            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(Math.min(2, Runtime.getRuntime().availableProcessors()));
            env.enableCheckpointing(5_000);
            String group = "lfr-demo-" + now;
            LiveMatchJob.build(LiveMatchJob.kafkaSources(env, bs, group), LiveMatchJob.kafkaSinks(bs),
                    LiveMatchJob.Config.defaults().withEmbedder(model).withAlertGap(Duration.ofSeconds(3))
                            .withMetricsWindow(Duration.ofSeconds(10)));
            JobClient job = env.executeAsync("lfr demo");
            Map<String, MatchAlert> alerts = new ConcurrentHashMap<>();
            Histogram latency = new Histogram(3_600_000, 3);
            AtomicBoolean stop = new AtomicBoolean();
            Thread reader = new Thread(() -> readAlerts(bs, deploymentId, alerts, latency, stop), "alerts");
            reader.start();
            try {
                Thread.sleep(5_000); // the job reads the deployment and watchlist topics before frames flow
                Replay replay = replay(producer, people, cams);
                Thread.sleep(4_000); // let the last frames through
                stop.set(true);
                reader.join(10_000);
                summary(replay, alerts, latency, people);
            } finally {
                stop.set(true);
                job.cancel().get();
            }
        }
        return 0;
    }

    /** Who walked past which camera; walk-pasts last two seconds, people take turns. */
    private record Replay(int frames, Set<String> walkedPast) {}

    private Replay replay(KafkaProducer<byte[], byte[]> producer, List<Person> people, List<String> cams) throws Exception {
        WalkPastComposer composer = new WalkPastComposer(1280, 720);
        int perWalk = 2 * fps;
        int total = duration * fps;
        Set<String> walkedPast = new HashSet<>();
        int frames = 0;
        long start = System.currentTimeMillis();
        for (int i = 0; i < total; i++) {
            int walk = i / perWalk;
            for (int c = 0; c < cams.size(); c++) {
                Person p = people.get((walk * cams.size() + c) % people.size());
                walkedPast.add(p.id());
                byte[] jpeg = composer.frame(p.walkCrop(), i % perWalk, perWalk, 90, 160);
                long t = System.currentTimeMillis();
                FrameEvent f = FrameEvent.newBuilder().setCamera(cams.get(c)).setSequence(i)
                        .setCaptureTime(Instant.ofEpochMilli(t)).setWidth(1280).setHeight(720)
                        .setEncoding(ImageEncoding.JPEG).setImage(ByteBuffer.wrap(jpeg)).build();
                producer.send(new ProducerRecord<>(KafkaWiring.FRAMES, cams.get(c).getBytes(StandardCharsets.UTF_8), AvroBytes.encode(f)));
                frames++;
            }
            long next = start + (i + 1) * 1000L / fps;
            Thread.sleep(Math.max(0, next - System.currentTimeMillis()));
        }
        producer.flush();
        return new Replay(frames, walkedPast);
    }

    private void readAlerts(String bs, String deploymentId, Map<String, MatchAlert> alerts, Histogram latency,
                            AtomicBoolean stop) {
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.consumer(bs, "lfr-demo-reader-" + System.nanoTime(), true)) {
            consumer.subscribe(List.of(KafkaWiring.ALERTS));
            while (!stop.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    MatchAlert a = AvroBytes.decode(r.value(), MatchAlert.class);
                    if (a.getDeployment().equals(deploymentId) && alerts.putIfAbsent(a.getAlertId(), a) == null) {
                        long ms = System.currentTimeMillis() - a.getFirstSeen().toEpochMilli();
                        latency.recordValue(Math.max(0, ms));
                        out().printf("ALERT %s on %s score=%.3f after %d ms (id %s)%n", a.getSubject(), a.getCameras(),
                                a.getBestScore(), ms, a.getAlertId());
                        out().flush();
                    }
                }
            }
        } catch (Exception e) {
            out().println("alert reader stopped: " + Lfr.oneLine(e));
        }
    }

    private void summary(Replay replay, Map<String, MatchAlert> alerts, Histogram latency, List<Person> people)
            throws Exception {
        Set<String> enrolledIds = new HashSet<>();
        people.stream().filter(p -> p.template() != null).forEach(p -> enrolledIds.add(p.id()));
        // ground truth: each frame holds one face, the person walking past; an alert is true when its subject walked
        // past and is on the watchlist
        Set<String> enrolledWalked = new HashSet<>();
        int trueAlerts = 0;
        int falseAlerts = 0;
        for (MatchAlert a : alerts.values()) {
            if (replay.walkedPast().contains(a.getSubject()) && enrolledIds.contains(a.getSubject())) {
                trueAlerts++;
                enrolledWalked.add(a.getSubject());
            } else {
                falseAlerts++;
            }
        }
        long missed = replay.walkedPast().stream().filter(enrolledIds::contains).filter(id -> !enrolledWalked.contains(id)).count();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("frames", replay.frames());
        s.put("faces", replay.frames());
        s.put("alerts", alerts.size());
        s.put("true_alerts", trueAlerts);
        s.put("false_alerts", falseAlerts);
        s.put("missed", missed);
        s.put("p50_ms", latency.getTotalCount() == 0 ? null : latency.getValueAtPercentile(50));
        s.put("p99_ms", latency.getTotalCount() == 0 ? null : latency.getValueAtPercentile(99));
        out().println(new ObjectMapper().writeValueAsString(s));
    }


    /** The faces of the sample photos (or of --gallery); every other one is put on the watchlist. */
    private List<Person> people(EngineOptions engine) throws Exception {
        List<Person> people = new ArrayList<>();
        ImageDecoder decoder = new ImageDecoder();
        try (FaceEngine e = engine.engine(QualityGate.defaults())) {
            if (gallery == null) {
                int n = 0;
                for (Path photo : engine.models().samples()) {
                    try (FrameImage img = decoder.decode(photo)) {
                        for (FaceResult r : e.analyse(img)) {
                            if (r.usable()) {
                                String id = photo.getFileName().toString().replace(".jpg", "") + "-face" + (++n);
                                FrameImage crop = decoder.decode(JpegCrops.crop(img, r.detection().box(), 1.8, 92));
                                boolean enrol = people.size() % 2 == 0;
                                people.add(new Person(id, crop, enrol ? r.descriptor().orElseThrow().vector() : null));
                            }
                        }
                    }
                }
            } else {
                people.addAll(galleryPeople(e, decoder));
            }
        }
        if (people.isEmpty()) {
            throw new UserError("no usable face to demo with");
        }
        // walk-pasts take people in list order per camera; a seeded shuffle mixes watchlisted and other people
        java.util.Collections.shuffle(people, new java.util.Random(7));
        return people;
    }

    private List<Person> galleryPeople(FaceEngine e, ImageDecoder decoder) throws Exception {
        if (!java.nio.file.Files.isDirectory(gallery)) {
            throw new UserError("no such gallery folder: " + gallery);
        }
        List<Person> people = new ArrayList<>();
        List<Path> identities;
        try (var s = java.nio.file.Files.list(gallery)) {
            identities = s.filter(java.nio.file.Files::isDirectory).sorted().toList();
        }
        for (Path identity : identities) {
            if (people.size() >= maxPeople) {
                break;
            }
            List<Path> images;
            try (var s = java.nio.file.Files.list(identity)) {
                images = s.filter(java.nio.file.Files::isRegularFile).sorted().toList();
            }
            if (images.size() < 2) {
                continue; // the walk-past photo must not be the enrolment photo
            }
            boolean enrol = people.size() % 2 == 0;
            float[] template = null;
            if (enrol) {
                try (FrameImage img = decoder.decode(images.get(0))) {
                    template = e.mainFace(img).flatMap(FaceResult::descriptor).map(d -> d.vector()).orElse(null);
                }
            }
            try (FrameImage walk = decoder.decode(images.get(images.size() - 1))) {
                var face = e.mainFace(walk);
                if (face.isEmpty() || (enrol && template == null)) {
                    continue;
                }
                FrameImage crop = decoder.decode(JpegCrops.crop(walk, face.get().detection().box(), 1.8, 92));
                people.add(new Person(identity.getFileName().toString(), crop, template));
            }
        }
        return people;
    }

}
