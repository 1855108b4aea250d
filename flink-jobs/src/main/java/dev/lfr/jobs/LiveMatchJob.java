package dev.lfr.jobs;

import dev.lfr.jobs.alert.AlertDeduplicator;
import dev.lfr.jobs.deadletter.DeadLetters;
import dev.lfr.jobs.gate.DeploymentGate;
import dev.lfr.jobs.gate.GatedFrame;
import dev.lfr.jobs.ingest.ControlRecord;
import dev.lfr.jobs.ingest.ControlStreams;
import dev.lfr.jobs.ingest.ControlTopic;
import dev.lfr.jobs.ingest.DecodeControlRecords;
import dev.lfr.jobs.ingest.DecodeFrameRecords;
import dev.lfr.jobs.ingest.InputRules;
import dev.lfr.jobs.ingest.RawRecord;
import dev.lfr.jobs.ingest.SourcedFrame;
import dev.lfr.jobs.ingest.StartupReads;
import dev.lfr.jobs.kafka.ControlTopicReads;
import dev.lfr.jobs.kafka.KafkaWiring;
import dev.lfr.jobs.match.FaceMatcher;
import dev.lfr.jobs.match.MatchCandidate;
import dev.lfr.jobs.metrics.AdjudicationJoiner;
import dev.lfr.jobs.metrics.MetricEvent;
import dev.lfr.jobs.metrics.MetricsWindows;
import dev.lfr.schemas.Adjudication;
import dev.lfr.schemas.DeadLetter;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.DeploymentMetrics;
import dev.lfr.schemas.MatchAlert;
import dev.lfr.schemas.WatchlistUpdate;
import dev.lfr.topics.Topics;
import dev.lfr.udfs.detect.FaceDetector;
import dev.lfr.udfs.index.WatchlistIndexes;
import dev.lfr.udfs.model.ModelCatalog;
import dev.lfr.udfs.model.ModelInstaller;
import dev.lfr.udfs.pipeline.DetectionSchedule;
import dev.lfr.udfs.pipeline.FramePipeline;
import dev.lfr.udfs.pipeline.MotionGate;
import dev.lfr.udfs.pipeline.Screening;
import dev.lfr.udfs.quality.QualityGate;
import dev.lfr.udfs.track.IouTracker;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ParameterTool;

/**
 * The live matching pipeline: frame records are decoded, gated by deployment, matched per camera against the
 * watchlist, and deduplicated into one alert per walk-past; alerts joined with officers' adjudications and the
 * matcher's frame counts become windowed deployment metrics; dead letters of every stage go to one sink. Sources
 * and sinks are arguments, so tests plug in their own and {@link #main} (with the Kafka wiring) plugs in topics.
 */
public final class LiveMatchJob {

    /** The job's inputs: raw records of each topic. */
    public record Sources(DataStream<RawRecord> frames, DataStream<RawRecord> deployments,
                          DataStream<RawRecord> watchlist, DataStream<RawRecord> adjudications) {}

    /** The job's outputs. */
    public record Sinks(Sink<MatchAlert> alerts, Sink<DeploymentMetrics> metrics, Sink<DeadLetter> deadLetters) {}

    /**
     * The job's settings, read once from {@link LiveMatchOptions}.
     *
     * @param pipeline              the face pipeline: models folder, embedding model, detector, quality gate, batch
     * @param alertGap              sightings of a subject less than this apart are one walk-past
     * @param outOfOrderness        how late a frame may arrive (event time) and still count
     * @param idleness              a camera quiet for this long stops holding back the event-time clock of the others
     * @param metricsWindow         the size of the tumbling metric windows
     * @param adjudicationRetention how long an alert waits for its adjudication (state TTL)
     * @param input                 what every input record must satisfy
     * @param watchlistIndex        the layout of each watchlist's index
     */
    public record Config(FramePipeline.Config pipeline, Duration alertGap, Duration outOfOrderness, Duration idleness,
                         Duration metricsWindow, Duration adjudicationRetention, InputRules input,
                         WatchlistIndexes.Choice watchlistIndex) {
        public Config {
            InputRules.positive(alertGap, "the alert gap");
            InputRules.positive(outOfOrderness, "the frames' out-of-orderness");
            InputRules.positive(idleness, "the frames' idleness");
            InputRules.positive(metricsWindow, "the metrics window");
            InputRules.positive(adjudicationRetention, "the adjudication retention");
            if (!pipeline.embeddingModel().equals(input.embeddingModel())) {
                throw new IllegalArgumentException("faces and watchlist vectors must share one embedding model");
            }
        }

        public static Config defaults() {
            return from(new Configuration());
        }

        /** @throws IllegalArgumentException naming the setting that is out of range */
        public static Config from(ReadableConfig c) {
            String model = c.get(LiveMatchOptions.EMBEDDING_MODEL);
            String modelsDir = c.getOptional(LiveMatchOptions.MODELS_DIR).orElse(ModelInstaller.defaultDir().toString());
            int tileSize = c.get(LiveMatchOptions.DETECTOR_TILE_SIZE);
            // smaller tiles than the detector's 256x256 input would find faces under 25 px, too small to recognise,
            // at 61 passes a 1080p frame already at 256
            if (tileSize != 0 && (tileSize < 256 || tileSize > 4096)) {
                throw new IllegalArgumentException("detector.tile-size must be 0 (off) or 256 to 4096 pixels, not " + tileSize);
            }
            FramePipeline.Config pipeline = new FramePipeline.Config(modelsDir, model,
                    FaceDetector.Config.defaults().withTileSize(tileSize),
                    QualityGate.defaults(), c.get(LiveMatchOptions.EMBEDDING_BATCH), false,
                    new MotionGate.Config(c.get(LiveMatchOptions.MOTION_GATE), c.get(LiveMatchOptions.MOTION_GATE_FULL_PASS_EVERY),
                            c.get(LiveMatchOptions.MOTION_GATE_CHANGED_FRACTION)),
                    new DetectionSchedule.Config(c.get(LiveMatchOptions.DETECTION_EVERY)),
                    new IouTracker(IouTracker.defaults().minIou(), IouTracker.gapMillis(c.get(LiveMatchOptions.TRACK_MAX_GAP)),
                            c.get(LiveMatchOptions.TRACK_MAX_EMBEDS), c.get(LiveMatchOptions.TRACK_REEMBED_GAIN),
                            c.get(LiveMatchOptions.TRACK_REEMBED_EVERY)),
                    c.get(LiveMatchOptions.TRACK_FUSION), c.get(LiveMatchOptions.DETECTOR_TILES_WHERE_MOTION),
                    screening(c, model));
            return new Config(pipeline, c.get(LiveMatchOptions.ALERT_GAP),
                    c.get(LiveMatchOptions.OUT_OF_ORDERNESS), c.get(LiveMatchOptions.IDLENESS),
                    c.get(LiveMatchOptions.METRICS_WINDOW), c.get(LiveMatchOptions.ADJUDICATION_RETENTION),
                    new InputRules(model, dimensionOf(model), c.get(LiveMatchOptions.MAX_CLOCK_AHEAD),
                            c.get(LiveMatchOptions.MAX_AGE), c.get(LiveMatchOptions.MAX_DEPLOYMENT_LENGTH),
                            c.get(LiveMatchOptions.MIN_THRESHOLD)),
                    WatchlistIndexes.Choice.parse(c.get(LiveMatchOptions.WATCHLIST_INDEX)));
        }

        private static Screening screening(ReadableConfig c, String model) {
            Screening s = new Screening(c.getOptional(LiveMatchOptions.SCREENING_MODEL).orElse(null),
                    c.get(LiveMatchOptions.SCREENING_MARGIN));
            if (s.on() && dimensionOf(s.model()) != dimensionOf(model)) { // refused here, not in every open()
                throw new IllegalArgumentException("embedding.screening-model " + s.model() + " does not embed as "
                        + model + " does");
            }
            return s;
        }

        private static int dimensionOf(String model) {
            Integer d = ModelCatalog.load().model(model).dimension();
            if (d == null) {
                throw new IllegalArgumentException(model + " is not an embedder");
            }
            return d;
        }

        /** The embedding model faces and watchlist vectors share. */
        public String embeddingModel() {
            return input.embeddingModel();
        }

        public Config withAlertGap(Duration gap) {
            return new Config(pipeline, gap, outOfOrderness, idleness, metricsWindow, adjudicationRetention, input, watchlistIndex);
        }

        public Config withMetricsWindow(Duration window) {
            return new Config(pipeline, alertGap, outOfOrderness, idleness, window, adjudicationRetention, input, watchlistIndex);
        }

        public Config withWatchlistIndex(WatchlistIndexes.Choice choice) {
            return new Config(pipeline, alertGap, outOfOrderness, idleness, metricsWindow, adjudicationRetention, input, choice);
        }

        public Config withEmbeddingModel(String model) {
            FramePipeline.Config p = pipeline.withEmbeddingModel(model);
            InputRules r = new InputRules(model, dimensionOf(model), input.maxClockAhead(), input.maxAge(),
                    input.maxDeploymentLength(), input.minThreshold());
            return new Config(p, alertGap, outOfOrderness, idleness, metricsWindow, adjudicationRetention, r, watchlistIndex);
        }
    }

    private LiveMatchJob() {}

    /** The consumer group the job reads its topics as, unless given {@code --group}. */
    public static final String DEFAULT_GROUP = "lfr-live-match";
    /**
     * Submits the job against Kafka. Arguments: {@code --bootstrap HOST:PORT} (required), {@code --parallelism N},
     * {@code --checkpoint-ms MS} (default: the cluster's
     * {@code execution.checkpointing.interval}), {@code --group ID}, and any of {@link LiveMatchOptions} as
     * {@code --key value} (e.g. {@code --input.max-clock-ahead "2 min"}); {@code --embedder ID} and
     * {@code --metrics-window-s S} are kept as older spellings of two of them.
     */
    public static void main(String[] args) throws Exception {
        ParameterTool params = ParameterTool.fromArgs(args);
        String bootstrap = params.getRequired("bootstrap");
        Configuration settings = Configuration.fromMap(params.toMap());
        if (params.has("embedder")) {
            settings.set(LiveMatchOptions.EMBEDDING_MODEL, params.get("embedder"));
        }
        if (params.has("metrics-window-s")) {
            settings.set(LiveMatchOptions.METRICS_WINDOW, Duration.ofSeconds(params.getLong("metrics-window-s")));
        }
        Config config = Config.from(settings);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.getConfig().setGlobalJobParameters(params); // shown in the web UI
        // checkpointing and parallelism are the cluster's settings (its config.yaml, the FlinkDeployment); these
        // arguments only override them, e.g. for a quick run on a bare cluster
        if (params.has("checkpoint-ms")) {
            env.enableCheckpointing(params.getLong("checkpoint-ms"));
        }
        if (params.has("parallelism")) {
            env.setParallelism(params.getInt("parallelism"));
        }
        SinkDelivery delivery = SinkDelivery.from(settings);
        if (delivery.needsCheckpoints() && !env.getCheckpointConfig().isCheckpointingEnabled()) {
            throw new IllegalArgumentException("exactly-once sinks (alerts.delivery, records.delivery) commit with"
                    + " checkpoints: set execution.checkpointing.interval on the cluster, or --checkpoint-ms");
        }
        String group = params.get("group", DEFAULT_GROUP);
        build(kafkaSources(env, bootstrap, group), kafkaSinks(bootstrap, group, delivery), config,
                ControlTopicReads.kafka(bootstrap, config.input()));
        env.execute("LFR live matching");
    }

    /** The job's topics as sources, read from the earliest offset (the control topics are compacted). */
    public static Sources kafkaSources(StreamExecutionEnvironment env, String bootstrap, String group) {
        WatermarkStrategy<RawRecord> none = WatermarkStrategy.noWatermarks();
        return new Sources(
                env.fromSource(KafkaWiring.source(bootstrap, Topics.FRAMES, group, false), none, "frames").uid("frames-source"),
                env.fromSource(KafkaWiring.source(bootstrap, Topics.DEPLOYMENTS, group, false), none, "deployments").uid("deployments-source"),
                env.fromSource(KafkaWiring.source(bootstrap, Topics.WATCHLIST, group, false), none, "watchlist").uid("watchlist-source"),
                env.fromSource(KafkaWiring.source(bootstrap, Topics.ADJUDICATIONS, group, false), none, "adjudications").uid("adjudications-source"));
    }

    /**
     * The job's output topics.
     *
     * @param group the job's consumer group, which also names its Kafka transactions
     */
    public static Sinks kafkaSinks(String bootstrap, String group, SinkDelivery delivery) {
        return new Sinks(KafkaWiring.alertsSink(bootstrap, Topics.ALERTS, delivery.alerts(), group),
                KafkaWiring.metricsSink(bootstrap, Topics.METRICS, delivery.records(), group),
                KafkaWiring.deadLettersSink(bootstrap, Topics.DEAD_LETTERS, delivery.records(), group));
    }

    /** Wires the operators between the given raw topic streams and sinks. */
    public static void build(Sources in, Sinks out, Config config) {
        build(in, out, config, StartupReads.none());
    }

    /**
     * Wires the operators; {@code atStartup} says how the gate and the matcher read the control topics when they start
     * without state, so frames that arrive before those topics' records at a first start are covered.
     */
    public static void build(Sources in, Sinks out, Config config, StartupReads atStartup) {
        InputRules rules = config.input();
        SingleOutputStreamOperator<ControlRecord<Deployment>> deployments = in.deployments()
                .process(new DecodeControlRecords<>(ControlTopic.DEPLOYMENTS, rules))
                .uid("decode-deployments").name("decode deployments");
        SingleOutputStreamOperator<ControlRecord<WatchlistUpdate>> watchlist = in.watchlist()
                .process(new DecodeControlRecords<>(ControlTopic.WATCHLIST, rules))
                .uid("decode-watchlist").name("decode watchlist");
        SingleOutputStreamOperator<ControlRecord<Adjudication>> adjudications = in.adjudications()
                .process(new DecodeControlRecords<>(ControlTopic.ADJUDICATIONS, rules))
                .uid("decode-adjudications").name("decode adjudications");
        SingleOutputStreamOperator<SourcedFrame> decoded = in.frames()
                .process(new DecodeFrameRecords(rules)).uid("decode-frames").name("decode frame records");
        // the side output belongs to the decoding operator, not to the watermark operator after it
        SingleOutputStreamOperator<SourcedFrame> timed = decoded
                .assignTimestampsAndWatermarks(WatermarkStrategy.<SourcedFrame>forBoundedOutOfOrderness(config.outOfOrderness())
                        .withTimestampAssigner((f, ts) -> f.frame().getCaptureTime().toEpochMilli())
                        .withIdleness(config.idleness()))
                .uid("frame-event-time").name("frame event time");

        SingleOutputStreamOperator<GatedFrame> gated = timed
                .connect(ControlStreams.neverHoldBack(deployments, "deployments").broadcast(DeploymentGate.DEPLOYMENTS))
                .process(new DeploymentGate(atStartup.deployments())).uid("deployment-gate").name("deployment gate");

        SingleOutputStreamOperator<MatchCandidate> candidates = gated
                .keyBy(g -> g.frame().getCamera())
                .connect(ControlStreams.neverHoldBack(watchlist, "watchlist").broadcast(FaceMatcher.WATCHLIST))
                .process(new FaceMatcher(config.pipeline(), config.watchlistIndex(), atStartup.watchlist()))
                .uid("face-matcher").name("detect, track, embed, match");

        SingleOutputStreamOperator<MatchAlert> alerts = candidates.keyBy(AlertDeduplicator::keyOf)
                .process(new AlertDeduplicator(config.alertGap())).uid("alert-dedup").name("one alert per walk-past");
        alerts.sinkTo(out.alerts()).uid("alerts-sink").name("alerts");

        DataStream<Adjudication> timedAdjudications = adjudications
                .map(ControlRecord::value).returns(new AvroTypeInfo<>(Adjudication.class)).uid("adjudication-values").name("adjudications")
                .assignTimestampsAndWatermarks(WatermarkStrategy.<Adjudication>forBoundedOutOfOrderness(config.outOfOrderness())
                        .withTimestampAssigner((j, ts) -> j.getTime().toEpochMilli())
                        .withIdleness(config.idleness()))
                .uid("adjudication-event-time").name("adjudication event time");
        SingleOutputStreamOperator<MetricEvent> alertCounts = alerts
                .connect(timedAdjudications)
                .keyBy(MatchAlert::getAlertId, Adjudication::getAlertId)
                .process(new AdjudicationJoiner(config.adjudicationRetention()))
                .uid("adjudication-join").name("alerts and adjudications");
        candidates.getSideOutput(MetricEvent.FRAMES).union(alertCounts)
                .keyBy(MetricEvent::deployment)
                .process(new MetricsWindows(config.metricsWindow())).uid("metrics-windows").name("deployment metrics")
                .sinkTo(out.metrics()).uid("metrics-sink").name("metrics");

        decoded.getSideOutput(DeadLetters.TAG)
                .union(deployments.getSideOutput(DeadLetters.TAG), watchlist.getSideOutput(DeadLetters.TAG),
                        adjudications.getSideOutput(DeadLetters.TAG), gated.getSideOutput(DeadLetters.TAG),
                        candidates.getSideOutput(DeadLetters.TAG))
                .sinkTo(out.deadLetters()).uid("dead-letters-sink").name("dead letters");
    }
}
