package dev.lfr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lfr.jobs.LiveMatchJob;
import dev.lfr.jobs.kafka.KafkaClients;
import dev.lfr.jobs.kafka.KafkaWiring;
import dev.lfr.loadtest.bench.ModelOnlyBound;
import dev.lfr.loadtest.replay.AlertMonitor;
import dev.lfr.loadtest.replay.FrameReplayer;
import dev.lfr.loadtest.replay.FrameSource;
import dev.lfr.loadtest.replay.GroundTruthMatcher;
import dev.lfr.loadtest.replay.ImageFolderFrames;
import dev.lfr.loadtest.replay.LagMonitor;
import dev.lfr.loadtest.replay.ReplayReport;
import dev.lfr.loadtest.replay.VideoFrames;
import dev.lfr.loadtest.replay.WalkPastScenes;
import dev.lfr.loadtest.replay.WatchlistChurn;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.DeploymentMetrics;
import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.image.FrameImage;
import dev.lfr.udfs.image.VideoFrameReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.apache.kafka.clients.producer.KafkaProducer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "replay", description = {
        "Replay camera frames into Kafka at a set rate and report throughput, latency and accuracy.",
        "N cameras at F fps for D seconds (or as fast as possible), from synthetic walk-past scenes of a gallery",
        "(default: the sample faces), a video, or a folder of images. Starts a local broker and the job unless told",
        "otherwise; writes the ground truth (never read by the job) to OUT/truth.jsonl and the report to",
        "OUT/report.json, report.md, latency_cdf.png, lag.png."})
class ReplayCommand extends LfrCommand implements Callable<Integer> {
    @Option(names = "--cameras", paramLabel = "N", description = "cameras (default 2)")
    int cameras = 2;

    @Option(names = "--fps", paramLabel = "F", description = "frames per second per camera (default 5)")
    double fps = 5;

    @Option(names = "--max-rate", description = "send as fast as possible (capture times still advance at --fps, so latency is not measured) to find the job's sustained rate")
    boolean maxRate;

    @Option(names = "--duration", paramLabel = "S", description = "seconds of frames per camera, at --fps (default 20)")
    int duration = 20;

    @Option(names = "--gallery", paramLabel = "DIR", description = "DIR/<identity>/<images>: walk-past scenes of these people; every other one enrolled")
    Path gallery;

    @Option(names = "--people", paramLabel = "N", description = "at most this many gallery identities (default 50)")
    int maxPeople = 50;

    @Option(names = "--faces", paramLabel = "N", description = "faces in view at once per camera in walk-past scenes (default 4)")
    int faces = 4;

    @Option(names = "--background", paramLabel = "VIDEO", description = "walk in front of this video's frames (default plain grey)")
    Path background;

    @Option(names = "--video", paramLabel = "FILE", description = "replay this video instead (no ground truth)")
    Path video;

    @Option(names = "--images", paramLabel = "DIR", description = "replay these images instead (no ground truth)")
    Path images;

    @Option(names = "--size", paramLabel = "WxH", description = "walk-past frame size (default 1280x720)")
    String size = "1280x720";

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "use this broker instead of starting one")
    String bootstrap;

    @Option(names = "--no-job", description = "do not start the job here: one already consumes the topics as --group")
    boolean noJob;

    @Option(names = "--group", paramLabel = "ID", description = "the job's consumer group (default: a fresh one for the local job)")
    String group;

    @Option(names = "--parallelism", paramLabel = "N", description = "the local job's parallelism (default 2)")
    int parallelism = 2;

    @Option(names = "--drain", paramLabel = "S", description = "after sending, wait at most S s for the job to catch up (default 60)")
    int drainSeconds = 60;

    @Option(names = "--warmup", paramLabel = "S", description = "leave alerts of the first S seconds out of the latency figures (JIT warm-up; default 0)")
    int warmupSeconds;

    @Option(names = "--save-frames", paramLabel = "N", description = "also write the first N frames of each camera to OUT/frames/ (to see what was replayed)")
    int saveFrames;

    @Option(names = "--model-bound", description = "measure what ONNX Runtime alone could sustain on this machine and report the job's throughput against it")
    boolean modelBound;

    @Option(names = "--watchlist-updates", paramLabel = "N", description = {"also publish N watchlist updates a minute while",
            "replaying (synthetic subjects enrolled, replaced and deleted in turn; default 0)"})
    int watchlistUpdatesPerMinute;

    @Option(names = "--out", paramLabel = "DIR", description = "report folder (default replay-report)")
    Path out = Path.of("replay-report");

    @picocli.CommandLine.Mixin
    EngineOptions engine;

    /** The checks every replay's options must pass (the demo's too). */
    void checkOptions() {
        if (cameras < 1 || duration < 1 || fps <= 0 || faces < 1 || maxPeople < 1 || parallelism < 1) {
            throw new UserError("--cameras, --duration, --fps, --faces, --people and --parallelism must be positive");
        }
        if (watchlistUpdatesPerMinute < 0 || watchlistUpdatesPerMinute > 600_000) {
            throw new UserError("--watchlist-updates must be between 0 and 600000 a minute");
        }
        if (video != null && images != null) {
            throw new UserError("choose one of --video and --images");
        }
        if (noJob && (bootstrap == null || group == null)) {
            throw new UserError("--no-job needs --bootstrap (where the job runs) and --group (its consumer group, for the lag)");
        }
    }

    @Override
    public Integer call() throws Exception {
        checkOptions();
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("cameras", cameras);
        settings.put("fps_per_camera", maxRate ? null : fps);
        settings.put("duration_s", duration);
        if (maxRate) {
            settings.put("note", "sent as fast as possible with capture times advancing at --fps: the latency figures are not frame-to-alert latency");
        }
        settings.put("source", video != null ? "video " + video : images != null ? "images " + images
                : "walk-pasts of " + (gallery == null ? "the sample faces" : gallery.toString()) + ", " + faces + " faces a frame");
        Files.createDirectories(out);
        Map<String, Object> report = run(this, settings, out, true);
        out().println(new ObjectMapper().writeValueAsString(summary(report)));
        out().println("wrote " + out.resolve("report.json") + ", report.md, latency_cdf.png, lag.png; ground truth "
                + out.resolve("truth.jsonl"));
        return 0;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> summary(Map<String, Object> report) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.putAll((Map<String, Object>) report.get("throughput"));
        s.putAll((Map<String, Object>) report.get("latency"));
        if (report.containsKey("ground_truth")) {
            s.putAll((Map<String, Object>) report.get("ground_truth"));
        }
        return s;
    }

    /** Runs a replay with the options of {@code r} (also the demo's), printing alerts as they come when asked. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> run(ReplayCommand r, Map<String, Object> settings, Path outDir, boolean progress)
            throws Exception {
        String model = r.engine.embeddingModel();
        List<String> cams = new ArrayList<>();
        for (int c = 1; c <= r.cameras; c++) {
            cams.add("cam-" + c);
        }
        Map<String, float[]> watchlist = new LinkedHashMap<>();
        FrameSource source;
        if (r.video != null) {
            source = new VideoFrames(requireFile(r.video), Math.max(1, (int) Math.min(500, r.fps * r.duration)));
        } else if (r.images != null) {
            source = new ImageFolderFrames(r.images, 500);
        } else {
            List<GalleryPeople.Person> people = GalleryPeople.load(r.engine, r.gallery, r.maxPeople);
            people.stream().filter(p -> p.template() != null).forEach(p -> watchlist.put(p.id(), p.template()));
            int[] wh = size(r.size);
            int steps = (int) Math.max(4, Math.round(2 * r.fps)); // a walk-past takes about two seconds
            List<FrameImage> backgrounds = backgrounds(r.background);
            try {
                source = new WalkPastScenes(people.stream().map(GalleryPeople.Person::walker).toList(),
                        backgrounds, wh[0], wh[1], r.faces, steps, 40, 200, 7);
            } finally {
                backgrounds.forEach(FrameImage::close);
            }
            r.out().printf(Locale.ROOT, "%d people, %d on the watchlist; %d camera(s), %d face(s) in view per camera%n",
                    people.size(), watchlist.size(), r.cameras, r.faces);
        }
        FrameSource frames = r.saveFrames > 0 ? saving(source, outDir.resolve("frames"), r.saveFrames) : source;
        ModelOnlyBound bound = null;
        if (r.modelBound) {
            bound = ModelOnlyBound.measure(r.engine.models(), model, FaceDetector.Config.defaults(),
                    frames.next("model-bound", 0, 0).jpeg());
        }
        float threshold = (float) (1 - r.engine.models().spec(model).searchThreshold());
        String group = r.group != null ? r.group : "lfr-replay-" + System.currentTimeMillis();
        LiveMatchJob.Config config = LiveMatchJob.Config.defaults().withEmbeddingModel(model).withAlertGap(Duration.ofSeconds(3))
                .withMetricsWindow(Duration.ofSeconds(10));
        try (frames; LocalStack stack = LocalStack.start(r.bootstrap, !r.noJob, group, "replay", model, watchlist, cams,
                threshold, config, r.parallelism)) {
            r.out().println("Kafka at " + stack.bootstrap() + " (in another terminal: ./lfr alerts tail --bootstrap "
                    + stack.bootstrap() + ")");
            r.out().flush();
            FrameReplayer.Result sent;
            try (AlertMonitor alerts = new AlertMonitor(stack.bootstrap(), KafkaWiring.ALERTS, Set.of(stack.deploymentId()),
                    (a, ms) -> {
                        r.out().printf(Locale.ROOT, "ALERT %s on %s score=%.3f after %d ms (id %s)%n", a.getSubject(),
                                a.getCameras(), a.getBestScore(), ms, a.getAlertId());
                        r.out().flush();
                    });
                 LagMonitor lag = new LagMonitor(stack.bootstrap(), KafkaWiring.FRAMES, stack.jobGroup(), 500);
                 KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(stack.bootstrap());
                 WatchlistChurn churn = new WatchlistChurn(producer, KafkaWiring.WATCHLIST, "replay", model,
                         r.engine.models().spec(model).dimension(), r.watchlistUpdatesPerMinute)) {
                long steps = (long) Math.ceil(r.fps * r.duration);
                alerts.measureFrom(System.currentTimeMillis() + r.warmupSeconds * 1000L);
                settings.put("latency_warmup_s", r.warmupSeconds);
                FrameReplayer.Settings s = new FrameReplayer.Settings(KafkaWiring.FRAMES, cams, r.maxRate ? 0 : r.fps, steps, r.fps);
                if (progress) {
                    try (ProgressBar bar = Progress.bar("replay", steps * cams.size())) {
                        sent = FrameReplayer.run(producer, frames, s, outDir.resolve("truth.jsonl"), bar::stepTo);
                    }
                } else {
                    sent = FrameReplayer.run(producer, frames, s, outDir.resolve("truth.jsonl"), n -> {});
                }
                settings.put("watchlist_updates_per_minute", r.watchlistUpdatesPerMinute);
                settings.put("watchlist_updates_sent", churn.sent()); // while the frames were sent
                drain(lag, r.drainSeconds);
                alerts.awaitQuiet(Duration.ofSeconds(4), Duration.ofSeconds(15)); // walk-pasts end, alerts complete
                GroundTruthMatcher.Score score = sent.truth().isEmpty() ? null
                        : GroundTruthMatcher.score(sent.truth(), watchlist.keySet(), alerts.alerts(), 1_000);
                settings.put("deployment", stack.deploymentId());
                settings.put("embedder", model);
                settings.put("threshold", threshold);
                Map<String, Object> report = ReplayReport.write(outDir, settings, sent, score, alerts.latencyMs(), lag.samples());
                if (bound != null) {
                    long[] counts = metricsTotals(stack.bootstrap(), stack.deploymentId(), sent.frames());
                    double facesPerFrame = counts[0] == 0 ? 0 : (double) counts[1] / counts[0];
                    Map<String, Object> m = new LinkedHashMap<>(bound.describe(facesPerFrame, r.parallelism));
                    // only a backlog drained as fast as the job can shows its capacity; a paced run shows the pace
                    Object consumed = ((Map<String, Object>) report.get("throughput")).get("job_consumed_fps_after_production");
                    if (r.maxRate && consumed instanceof Double c) {
                        m.put("job_fps_over_bound", c / bound.framesPerSecond(facesPerFrame, r.parallelism));
                    }
                    report.put("model_only", m);
                    new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(outDir.resolve("report.json").toFile(), report);
                    Files.writeString(outDir.resolve("report.md"), "\n## Against the model-only bound\n\n`" + m + "`\n",
                            java.nio.file.StandardOpenOption.APPEND);
                }
                return report;
            }
        }
    }

    /**
     * Frames and faces searched of a deployment, summed over its published metric windows (all-camera rows); waits
     * until they account for {@code frames} frames (the last window is published once the deployment is quiet for
     * two window lengths), at most a minute.
     */
    private static long[] metricsTotals(String bootstrap, String deployment, long frames) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            long[] totals = new long[2];
            for (var record : KafkaClients.readToEnd(bootstrap, KafkaWiring.METRICS)) {
                DeploymentMetrics m = AvroBytes.decode(record.value(), DeploymentMetrics.class);
                if (deployment.equals(m.getDeployment()) && m.getCamera() == null) {
                    totals[0] += m.getFrames();
                    totals[1] += m.getFacesSearched();
                }
            }
            if (totals[0] >= frames || System.currentTimeMillis() > deadline) {
                return totals;
            }
            Thread.sleep(1_000);
        }
    }

    /** Passes frames through, writing the first {@code n} of each camera as CAMERA-STEP.jpg. */
    private static FrameSource saving(FrameSource inner, Path dir, int n) throws java.io.IOException {
        Files.createDirectories(dir);
        return new FrameSource() {
            @Override
            public dev.lfr.loadtest.replay.ReplayFrame next(String camera, long step, long timeMs) throws Exception {
                dev.lfr.loadtest.replay.ReplayFrame f = inner.next(camera, step, timeMs);
                if (step < n) {
                    Files.write(dir.resolve(camera + "-" + step + ".jpg"), f.jpeg());
                }
                return f;
            }

            @Override
            public void close() throws Exception {
                inner.close();
            }
        };
    }

    /** Waits until the job's committed offsets reach the end of the frames topic, at most {@code seconds}. */
    private static void drain(LagMonitor lag, int seconds) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            List<LagMonitor.Sample> s = lag.samples();
            if (!s.isEmpty() && s.get(s.size() - 1).lag() == 0 && s.get(s.size() - 1).produced() > 0) {
                return;
            }
            Thread.sleep(250);
        }
    }

    private static Path requireFile(Path p) {
        if (!Files.isRegularFile(p)) {
            throw new UserError("no such file: " + p);
        }
        return p;
    }

    private static int[] size(String wxh) {
        String[] parts = wxh.toLowerCase(Locale.ROOT).split("x");
        try {
            int w = Integer.parseInt(parts[0]);
            int h = Integer.parseInt(parts[1]);
            if (parts.length == 2 && w >= 320 && h >= 240 && w <= 4096 && h <= 4096) {
                return new int[] {w, h};
            }
        } catch (RuntimeException e) {
            // falls through to the one-line error
        }
        throw new UserError("--size is WIDTHxHEIGHT between 320x240 and 4096x4096, not " + wxh);
    }

    private static List<FrameImage> backgrounds(Path video) throws Exception {
        List<FrameImage> frames = new ArrayList<>();
        if (video == null) {
            return frames;
        }
        try (VideoFrameReader reader = new VideoFrameReader(requireFile(video))) {
            FrameImage f;
            while (frames.size() < 50 && (f = reader.next()) != null) {
                frames.add(f);
            }
        }
        return frames;
    }
}
