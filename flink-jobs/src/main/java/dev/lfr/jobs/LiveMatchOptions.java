package dev.lfr.jobs;

import static org.apache.flink.configuration.ConfigOptions.key;

import dev.lfr.udfs.pipeline.Screening;
import dev.lfr.udfs.track.IouTracker;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * The live job's settings, as typed options: given as {@code --key value} to {@link LiveMatchJob#main} and read
 * once, into {@link LiveMatchJob.Config}, where they are checked (a NaN or a negative duration is refused at
 * submission, in one line). Cluster settings (checkpointing, parallelism) are the cluster's, not these.
 */
public final class LiveMatchOptions {
    public static final ConfigOption<String> EMBEDDING_MODEL = key("embedding-model").stringType()
            .defaultValue("fr-feature-512").withDescription("the embedder of faces and of every watchlist vector");
    public static final ConfigOption<String> MODELS_DIR = key("models.dir").stringType().noDefaultValue()
            .withDescription("the installed models folder on the TaskManagers (default: -Dlfr.models.dir, $LFR_MODELS or ./models)");
    public static final ConfigOption<String> SCREENING_MODEL = key("embedding.screening-model").stringType()
            .noDefaultValue().withDescription("a reduced form of the embedding model (fr-feature-512-int8) that embeds"
                    + " every face first; faces whose best score is within embedding.screening-margin of the deployment's"
                    + " threshold are embedded again by the embedding model, whose score decides (default: off)");
    public static final ConfigOption<Double> SCREENING_MARGIN = key("embedding.screening-margin").doubleType()
            .defaultValue(Screening.DEFAULT_MARGIN).withDescription("how far from the threshold (cosine similarity) a"
                    + " screened score must be to stand (above 0, at most 1)");
    public static final ConfigOption<Integer> EMBEDDING_BATCH = key("embedding.batch").intType().defaultValue(8)
            .withDescription("faces embedded in one model call at most");
    public static final ConfigOption<Duration> ALERT_GAP = key("alert.gap").durationType()
            .defaultValue(Duration.ofSeconds(10)).withDescription("sightings less than this apart are one walk-past");
    public static final ConfigOption<Duration> OUT_OF_ORDERNESS = key("frames.out-of-orderness").durationType()
            .defaultValue(Duration.ofMillis(500)).withDescription("how late a frame may arrive and still count");
    public static final ConfigOption<Duration> IDLENESS = key("frames.idleness").durationType()
            .defaultValue(Duration.ofSeconds(5))
            .withDescription("a camera quiet this long stops holding back the others' event time");
    public static final ConfigOption<Duration> METRICS_WINDOW = key("metrics.window").durationType()
            .defaultValue(Duration.ofMinutes(1)).withDescription("the tumbling window of the published metrics");
    public static final ConfigOption<Duration> ADJUDICATION_RETENTION = key("adjudication.retention").durationType()
            .defaultValue(Duration.ofDays(7)).withDescription("how long an alert waits for its adjudication");
    public static final ConfigOption<Duration> MAX_CLOCK_AHEAD = key("input.max-clock-ahead").durationType()
            .defaultValue(Duration.ofMinutes(5))
            .withDescription("frames and adjudications timed further ahead of the job's clock, and watchlist versions further ahead of it in"
                    + " epoch milliseconds, are CLOCK_SKEW dead letters");
    public static final ConfigOption<Duration> MAX_AGE = key("input.max-age").durationType()
            .defaultValue(Duration.ofDays(1))
            .withDescription("frames and adjudications timed further behind the job's clock are CLOCK_SKEW dead letters");
    public static final ConfigOption<Duration> MAX_DEPLOYMENT_LENGTH = key("deployment.max-length").durationType()
            .defaultValue(Duration.ofHours(12)).withDescription("longer deployments are refused");
    public static final ConfigOption<Float> MIN_THRESHOLD = key("deployment.min-threshold").floatType()
            .defaultValue(0.3f).withDescription("deployments with a lower alert threshold (cosine similarity) are refused");

    public static final ConfigOption<String> WATCHLIST_INDEX = key("watchlist.index").stringType().defaultValue("auto")
            .withDescription("the watchlist index: auto (exact below 200k entries, HNSW above), flat, sq8 (8-bit, a"
                    + " quarter of the memory), hnsw or hnsw-sq8; graphs are built in the background");

    public static final ConfigOption<Boolean> MOTION_GATE = key("motion-gate.enabled").booleanType().defaultValue(true)
            .withDescription("frames of a camera whose scene did not change and where no face is tracked go unsearched"
                    + " (a grey 80x45 thumbnail compared with the camera's previous frame)");
    public static final ConfigOption<Integer> MOTION_GATE_FULL_PASS_EVERY = key("motion-gate.full-pass-every").intType()
            .defaultValue(10).withDescription("with the motion gate, a camera's frames are still searched at least this"
                    + " often (a face is found within this many frames)");
    public static final ConfigOption<Double> MOTION_GATE_CHANGED_FRACTION = key("motion-gate.changed-fraction")
            .doubleType().defaultValue(0.0015).withDescription("the share of thumbnail pixels that must change (by more"
                    + " than 10 grey levels) for a frame to count as motion");

    public static final ConfigOption<Integer> DETECTION_EVERY = key("detection.every").intType().defaultValue(1)
            .withDescription("the detector runs on one frame of this many per camera (1 to 30); the frames between are"
                    + " not decoded and the tracker carries faces across them, so a face is found within this many frames");

    public static final ConfigOption<Integer> DETECTOR_TILE_SIZE = key("detector.tile-size").intType().defaultValue(0)
            .withDescription("besides the whole-frame pass, the detector searches overlapping square tiles of this many"
                    + " frame pixels (0: off; 256 to 4096), which finds faces under about a tenth of the frame: 384 finds"
                    + " 40 px faces in 1280x720, at up to 15 passes more a frame");
    public static final ConfigOption<Boolean> DETECTOR_TILES_WHERE_MOTION = key("detector.tiles-where-motion")
            .booleanType().defaultValue(true).withDescription("with detector.tile-size, only the tiles where the scene"
                    + " changed since the camera's last searched frame, or where a face is tracked, are searched");

    public static final ConfigOption<Duration> TRACK_MAX_GAP = key("track.max-gap").durationType()
            .defaultValue(Duration.ofMillis(IouTracker.defaults().maxGapMs())).withDescription("a face unseen this long (up to a minute) is a new"
                    + " person when it appears again (a new track, embedded again); with detection.every above 1, only"
                    + " once a detector pass has also missed it, or after twice this");
    public static final ConfigOption<Integer> TRACK_MAX_EMBEDS = key("track.max-embeds").intType()
            .defaultValue(IouTracker.defaults().maxEmbeds())
            .withDescription("a track's faces are embedded and searched at most this many times (1 to 20): its first"
                    + " usable face, then faces that are clearly better (track.reembed-gain) or some sightings on"
                    + " (track.reembed-every)");
    public static final ConfigOption<Double> TRACK_REEMBED_GAIN = key("track.reembed-gain").doubleType()
            .defaultValue(IouTracker.defaults().reembedGain()).withDescription("a track's face is embedded again when its quality utility (eye"
                    + " distance, sharpness, frontality, detector score) is this many times the best embedded so far");

    public static final ConfigOption<Integer> TRACK_REEMBED_EVERY = key("track.reembed-every").intType()
            .defaultValue(IouTracker.defaults().reembedEvery()).withDescription("a track's face is also embedded again this many frames after its"
                    + " last embed, whatever its quality, so that its embeds are spread over the walk-past (0: only by"
                    + " track.reembed-gain); with detection.every N a track is sighted every N frames, so this becomes"
                    + " every this / N detector passes, at least one");
    public static final ConfigOption<Boolean> TRACK_FUSION = key("track.fusion").booleanType().defaultValue(false)
            .withDescription("a track's faces are also searched as one, by the mean of their descriptors so far, held"
                    + " in the operator's memory (never state) until the track ends");

    public static final ConfigOption<DeliveryGuarantee> ALERTS_DELIVERY = key("alerts.delivery")
            .enumType(DeliveryGuarantee.class).defaultValue(DeliveryGuarantee.AT_LEAST_ONCE)
            .withDescription("at-least-once (written at once, deduplicated by alert id) or exactly-once (visible to"
                    + " read_committed readers when a checkpoint completes)");
    public static final ConfigOption<DeliveryGuarantee> RECORDS_DELIVERY = key("records.delivery")
            .enumType(DeliveryGuarantee.class).defaultValue(DeliveryGuarantee.EXACTLY_ONCE)
            .withDescription("metrics and dead letters: exactly-once (Kafka transactions committed with each"
                    + " checkpoint; read them with isolation.level=read_committed) or at-least-once");

    /** The keys of every option above, to refuse a misspelt one rather than ignore it. */
    public static java.util.Set<String> keys() {
        java.util.Set<String> keys = new java.util.TreeSet<>();
        for (java.lang.reflect.Field f : LiveMatchOptions.class.getFields()) {
            if (f.getType() == ConfigOption.class) {
                try {
                    keys.add(((ConfigOption<?>) f.get(null)).key());
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return keys;
    }

    private LiveMatchOptions() {}
}
