package dev.lfr.cli;

import dev.lfr.gateway.GatewayConfig;
import dev.lfr.jobs.LiveMatchOptions;
import dev.lfr.jobs.SinkDelivery;
import dev.lfr.loadtest.replay.Replay;
import dev.lfr.loadtest.replay.ReplaySession;
import dev.lfr.loadtest.replay.StackCpu;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Option;

/**
 * The options of a replay, shared by {@code ./lfr replay} and {@code ./lfr demo} (a mixin: the demo is a replay with
 * other defaults, not a subclass of the replay command).
 */
final class ReplayOptions {
    ReplayOptions() {
        this(4, Path.of("replay-report"));
    }

    /** What the frames show. */
    Replay.Scenes scenes() {
        int[] wh = size(size);
        return new Replay.Scenes(gallery, maxPeople, walkPhotos, minPhotos, faces, background, wh[0], wh[1], video, images,
                saveFrames);
    }

    /** How the frames are sent, and to which job, with {@code engine}'s model and threshold. */
    ReplaySession.Plan plan(Replay.Engine engine) {
        return new ReplaySession.Plan(Replay.cameras(cameras), fps, maxRate, duration, warmupSeconds, drainSeconds,
                bootstrap, !noJob, group, jobParallelism, checkpointMs, delivery(), watchlistUpdatesPerMinute,
                engine.embeddingModel(), engine.dimension(), engine.threshold(), prerender, stackProcesses, jobSettings);
    }

    /** With {@code --cluster}: its broker, JobManager and TaskManagers, whose CPU the report counts. */
    private List<StackCpu.Process> stackProcesses = List.of();

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

    /** @param faces faces in view per camera by default; @param out the report folder by default */
    ReplayOptions(int faces, Path out) {
        this(faces, out, dev.lfr.loadtest.replay.LocalStack.LocalJob.CHECKPOINT_MS);
    }

    /** @param checkpointMs the local job's checkpoint interval by default */
    ReplayOptions(int faces, Path out, long checkpointMs) {
        this.faces = faces;
        this.out = out;
        this.checkpointMs = checkpointMs;
        this.defaultCheckpointMs = checkpointMs;
    }

    private final long defaultCheckpointMs;

    /** Whether an option that only shapes the local job was changed from its default. */
    boolean localJobOptionsGiven() {
        return checkpointMs != defaultCheckpointMs || !delivery().equals(SinkDelivery.defaults()) || !jobSettings.isEmpty();
    }

    @Option(names = "--cameras", paramLabel = "N", description = "cameras (default 2)")
    int cameras = 2;

    @Option(names = "--fps", paramLabel = "F", description = "frames per second per camera, up to 60 (default 5)")
    double fps = 5;

    @Option(names = "--max-rate", description = "send as fast as possible (capture times still advance at --fps, so latency is not measured) to find the job's sustained rate")
    boolean maxRate;

    @Option(names = "--duration", paramLabel = "S", description = "seconds of frames per camera, at --fps (default 20)")
    int duration = 20;

    @Option(names = "--gallery", paramLabel = "DIR", description = "DIR/<identity>/<images>: walk-past scenes of these people; every other one enrolled")
    Path gallery;

    @Option(names = "--people", paramLabel = "N", description = "at most this many gallery identities (default 50)")
    int maxPeople = 50;

    @Option(names = "--prerender", description = {
            "render every frame before the broker and the job start (to a file in --out, deleted after), so that",
            "while frames are timed the replay only sends bytes and does not compete with the job for the CPU"})
    boolean prerender;

    @Option(names = "--walk-photos", paramLabel = "N", description = {
            "with --gallery, a walk-past shows up to N of the person's photos in turn, never the enrolment photo",
            "(default 1: one photo for the whole walk)"})
    int walkPhotos = 1;

    @Option(names = "--min-photos", paramLabel = "N", description = {
            "with --gallery, only identities with N or more photos (default 2: one to enrol, one to walk past with;",
            "1 + --walk-photos so that every walk-past shows that many different photos)"})
    int minPhotos = 2;

    @Option(names = "--faces", paramLabel = "N", description = "faces in view at once per camera in walk-past scenes (default ${DEFAULT-VALUE})")
    int faces;

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

    @Option(names = "--cluster", paramLabel = "D", description = {"replay against the job submitted to this local cluster",
            "(lfr cluster up --dir D; lfr job submit --cluster D): frames go to its broker, alerts are scored"})
    Path cluster;

    @Option(names = "--no-job", description = "do not start the job here: one already consumes the topics as --group")
    boolean noJob;

    @Option(names = "--group", paramLabel = "ID", description = "the job's consumer group (default: a fresh one for the local job)")
    String group;

    private static final int DEFAULT_PARALLELISM = 2;

    @Option(names = "--parallelism", paramLabel = "N", description = {"the local job's parallelism (default 2); with",
            "--cluster, the running job's, read from the cluster"})
    Integer parallelism;

    /** What {@link #check} made of {@code --parallelism}: the default, or with {@code --cluster} the running job's. */
    private int jobParallelism = DEFAULT_PARALLELISM;

    @Option(names = "--checkpoint-ms", paramLabel = "MS", description = "the local job's checkpoint interval (default ${DEFAULT-VALUE})")
    long checkpointMs;

    @Option(names = "--alerts-delivery", paramLabel = "G", description = {"the local job's alerts sink: at-least-once or exactly-once",
            "(default ${DEFAULT-VALUE}), as alerts.delivery"})
    String alertsDelivery = LiveMatchOptions.ALERTS_DELIVERY.defaultValue().toString();

    @Option(names = "--records-delivery", paramLabel = "G", description = "the local job's metrics and dead-letter sinks (default ${DEFAULT-VALUE}), as records.delivery")
    String recordsDelivery = LiveMatchOptions.RECORDS_DELIVERY.defaultValue().toString();

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

    @Option(names = "--job-option", paramLabel = "KEY=VALUE", description = {"a setting of the local job, as `./lfr job",
            "submit` takes it (e.g. detection.every=3); repeatable"})
    Map<String, String> jobSettings = new java.util.LinkedHashMap<>();

    @Option(names = "--out", paramLabel = "DIR", description = "report folder (default ${DEFAULT-VALUE})")
    Path out;

    @picocli.CommandLine.Mixin
    EngineOptions engine;

    /** Read as the job reads its settings, so both accept the same spellings. */
    SinkDelivery delivery() {
        return SinkDelivery.from(Configuration.fromMap(Map.of(LiveMatchOptions.ALERTS_DELIVERY.key(), alertsDelivery,
                LiveMatchOptions.RECORDS_DELIVERY.key(), recordsDelivery)));
    }

    /**
     * The parallelism of the one job running on the cluster, which the model-only bound counts; refuses a
     * {@code --parallelism} that says otherwise. With no job or several running, the option's value stands.
     */
    private int runningJobsParallelism(dev.lfr.cluster.FlinkRest rest) {
        List<dev.lfr.cluster.FlinkRest.Job> running = rest.jobs().stream().filter(j -> "RUNNING".equals(j.state())).toList();
        int given = parallelism == null ? DEFAULT_PARALLELISM : parallelism;
        if (running.size() != 1) {
            return given;
        }
        int submitted = rest.parallelism(running.get(0).id());
        if (submitted < 1) {
            return given;
        }
        if (parallelism != null && parallelism != submitted) {
            throw new UserError("--parallelism " + parallelism + ": the job on the cluster runs with " + submitted
                    + "; leave the option out with --cluster");
        }
        return submitted;
    }

    /** The checks every replay's options must pass (the demo's too); {@code --cluster} becomes its broker and group. */
    void check() {
        if (cluster != null) {
            if (bootstrap != null || noJob) {
                throw new UserError("--cluster already names the broker and the job: leave out --bootstrap and --no-job");
            }
            var at = dev.lfr.cluster.LocalCluster.at(cluster, dev.lfr.cluster.Builds.ofThisCheckout());
            var local = at.status();
            bootstrap = local.bootstrap();
            jobParallelism = runningJobsParallelism(at.rest());
            List<StackCpu.Process> processes = new java.util.ArrayList<>();
            processes.add(new StackCpu.Process("broker", local.pids().broker()));
            processes.add(new StackCpu.Process("jobmanager", local.pids().jobmanager()));
            local.pids().taskmanagers().forEach(pid -> processes.add(new StackCpu.Process(StackCpu.TASKMANAGER, pid)));
            stackProcesses = processes;
            noJob = true;
            group = group != null ? group : dev.lfr.jobs.LiveMatchJob.DEFAULT_GROUP;
        }
        if (cluster == null && parallelism != null) {
            jobParallelism = parallelism;
        }
        if (minPhotos < 2) {
            throw new UserError("--min-photos must be at least 2: one photo to enrol, one to walk past with");
        }
        if (cameras < 1 || duration < 1 || faces < 1 || maxPeople < 1 || walkPhotos < 1 || jobParallelism < 1) {
            throw new UserError("--cameras, --duration, --faces, --people, --walk-photos and --parallelism must be positive");
        }
        if (!GatewayConfig.isCameraRate(fps)) {
            throw new UserError("--fps is above 0 and at most " + GatewayConfig.MAX_FPS + ", not " + fps);
        }
        engine.detectorConfig(); // --min-score and --tile, before a broker starts
        size(size);
        if (checkpointMs < 100) {
            throw new UserError("--checkpoint-ms must be at least 100");
        }
        try {
            delivery();
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        if (watchlistUpdatesPerMinute < 0 || watchlistUpdatesPerMinute > 600_000) {
            throw new UserError("--watchlist-updates must be between 0 and 600000 a minute");
        }
        if (video != null && images != null) {
            throw new UserError("choose one of --video and --images");
        }
        java.util.Set<String> unknown = new java.util.TreeSet<>(jobSettings.keySet());
        unknown.removeAll(LiveMatchOptions.keys());
        if (!unknown.isEmpty()) {
            throw new UserError("--job-option: no such setting " + String.join(", ", unknown) + " (the settings are "
                    + String.join(", ", LiveMatchOptions.keys()) + ")");
        }
        try {
            dev.lfr.jobs.LiveMatchJob.Config.from(Configuration.fromMap(jobSettings));
        } catch (IllegalArgumentException e) {
            throw new UserError("--job-option: " + e.getMessage());
        }
        if (noJob && localJobOptionsGiven()) {
            throw new UserError("--checkpoint-ms, --alerts-delivery, --records-delivery and --job-option shape the local"
                    + " job; the job already running has its own (its cluster's checkpointing, its submitted settings)");
        }
        if (noJob && (bootstrap == null || group == null)) {
            throw new UserError("--no-job needs --bootstrap (where the job runs) and --group (its consumer group, for the lag)");
        }
    }
}
