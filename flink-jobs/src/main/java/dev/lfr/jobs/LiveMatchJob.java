package dev.lfr.jobs;

import dev.lfr.jobs.alert.AlertDeduplicator;
import dev.lfr.jobs.deadletter.DeadLetters;
import dev.lfr.jobs.gate.DeploymentGate;
import dev.lfr.jobs.gate.GatedFrame;
import dev.lfr.jobs.ingest.ControlStreams;
import dev.lfr.jobs.ingest.DecodeAvroRecords;
import dev.lfr.jobs.ingest.DecodeFrameRecords;
import dev.lfr.jobs.ingest.RawRecord;
import dev.lfr.jobs.ingest.SourcedFrame;
import dev.lfr.jobs.kafka.ControlSnapshot;
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
import dev.lfr.udfs.detect.FaceDetector;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
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
     * @param embedderId            the embedder every watchlist vector must come from
     * @param detector              detector settings (minimum score, tiling for small faces)
     * @param alertGap              sightings of a subject less than this apart are one walk-past
     * @param outOfOrderness        how late a frame may arrive (event time) and still count
     * @param idleness              a camera quiet for this long stops holding back the event-time clock of the others
     * @param metricsWindow         the size of the tumbling metric windows
     * @param adjudicationRetention how long an alert waits for its adjudication (state TTL)
     */
    public record Config(String embedderId, FaceDetector.Config detector, Duration alertGap, Duration outOfOrderness,
                         Duration idleness, Duration metricsWindow, Duration adjudicationRetention) {
        public static Config defaults() {
            return new Config("fr-feature-512", FaceDetector.Config.defaults(), Duration.ofSeconds(10),
                    Duration.ofMillis(500), Duration.ofSeconds(5), Duration.ofMinutes(1), Duration.ofDays(7));
        }

        public Config withAlertGap(Duration gap) {
            return new Config(embedderId, detector, gap, outOfOrderness, idleness, metricsWindow, adjudicationRetention);
        }

        public Config withMetricsWindow(Duration window) {
            return new Config(embedderId, detector, alertGap, outOfOrderness, idleness, window, adjudicationRetention);
        }

        public Config withEmbedder(String id) {
            return new Config(id, detector, alertGap, outOfOrderness, idleness, metricsWindow, adjudicationRetention);
        }
    }

    private LiveMatchJob() {}

    /**
     * Submits the job against Kafka. Arguments: {@code --bootstrap HOST:PORT} (required), {@code --parallelism N},
     * {@code --checkpoint-ms MS} (default 10000), {@code --group ID}, {@code --embedder ID},
     * {@code --metrics-window-s S}.
     */
    public static void main(String[] args) throws Exception {
        ParameterTool params = ParameterTool.fromArgs(args);
        String bootstrap = params.getRequired("bootstrap");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.getConfig().setGlobalJobParameters(params); // shown in the web UI
        env.enableCheckpointing(params.getLong("checkpoint-ms", 10_000));
        if (params.has("parallelism")) {
            env.setParallelism(params.getInt("parallelism"));
        }
        Config config = Config.defaults()
                .withEmbedder(params.get("embedder", "fr-feature-512"))
                .withMetricsWindow(Duration.ofSeconds(params.getLong("metrics-window-s", 60)));
        build(kafkaSources(env, bootstrap, params.get("group", "lfr-live-match")), kafkaSinks(bootstrap), config,
                ControlSnapshot.read(bootstrap));
        env.execute("LFR live matching");
    }

    /** The job's topics as sources, read from the earliest offset (the control topics are compacted). */
    public static Sources kafkaSources(StreamExecutionEnvironment env, String bootstrap, String group) {
        WatermarkStrategy<RawRecord> none = WatermarkStrategy.noWatermarks();
        return new Sources(
                env.fromSource(KafkaWiring.source(bootstrap, KafkaWiring.FRAMES, group, false), none, "frames").uid("frames-source"),
                env.fromSource(KafkaWiring.source(bootstrap, KafkaWiring.DEPLOYMENTS, group, false), none, "deployments").uid("deployments-source"),
                env.fromSource(KafkaWiring.source(bootstrap, KafkaWiring.WATCHLIST, group, false), none, "watchlist").uid("watchlist-source"),
                env.fromSource(KafkaWiring.source(bootstrap, KafkaWiring.ADJUDICATIONS, group, false), none, "adjudications").uid("adjudications-source"));
    }

    /** The job's output topics. */
    public static Sinks kafkaSinks(String bootstrap) {
        return new Sinks(KafkaWiring.alerts(bootstrap, KafkaWiring.ALERTS), KafkaWiring.metrics(bootstrap, KafkaWiring.METRICS),
                KafkaWiring.deadLetters(bootstrap, KafkaWiring.DEAD_LETTERS));
    }

    /** Wires the operators between the given raw topic streams and sinks. */
    public static void build(Sources in, Sinks out, Config config) {
        build(in, out, config, ControlSnapshot.none());
    }

    /**
     * Wires the operators; {@code atStartup} (the control topics as they were at submission) covers frames that
     * arrive before the deployments and watchlist topics are read at a first start.
     */
    public static void build(Sources in, Sinks out, Config config, ControlSnapshot atStartup) {
        SingleOutputStreamOperator<Deployment> deployments = in.deployments()
                .process(new DecodeAvroRecords<>(Deployment.class)).uid("decode-deployments").name("decode deployments");
        SingleOutputStreamOperator<WatchlistUpdate> watchlist = in.watchlist()
                .process(new DecodeAvroRecords<>(WatchlistUpdate.class)).uid("decode-watchlist").name("decode watchlist");
        SingleOutputStreamOperator<Adjudication> adjudications = in.adjudications()
                .process(new DecodeAvroRecords<>(Adjudication.class)).uid("decode-adjudications").name("decode adjudications");
        SingleOutputStreamOperator<SourcedFrame> decoded = in.frames()
                .process(new DecodeFrameRecords()).uid("decode-frames").name("decode frame records");
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
                .process(new FaceMatcher(config.embedderId(), config.detector(), atStartup.watchlist()))
                .uid("face-matcher").name("detect, track, embed, match");

        SingleOutputStreamOperator<MatchAlert> alerts = candidates.keyBy(AlertDeduplicator::keyOf)
                .process(new AlertDeduplicator(config.alertGap())).uid("alert-dedup").name("one alert per walk-past");
        alerts.sinkTo(out.alerts()).uid("alerts-sink").name("alerts");

        DataStream<Adjudication> timedAdjudications = adjudications
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
