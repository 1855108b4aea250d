package dev.lfr.jobs;

import dev.lfr.jobs.alert.AlertDeduplicator;
import dev.lfr.jobs.deadletter.DeadLetters;
import dev.lfr.jobs.gate.DeploymentGate;
import dev.lfr.jobs.gate.GatedFrame;
import dev.lfr.jobs.ingest.DecodeAvroRecords;
import dev.lfr.jobs.ingest.DecodeFrameRecords;
import dev.lfr.jobs.ingest.RawRecord;
import dev.lfr.jobs.ingest.SourcedFrame;
import dev.lfr.jobs.kafka.KafkaWiring;
import dev.lfr.jobs.match.FaceMatcher;
import dev.lfr.jobs.match.MatchCandidate;
import dev.lfr.schemas.DeadLetter;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.MatchAlert;
import dev.lfr.schemas.WatchlistUpdate;
import dev.lfr.udfs.detect.FaceDetector;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The live matching pipeline: frame records are decoded, gated by deployment, matched per camera against the
 * watchlist, and deduplicated into one alert per walk-past; dead letters of every stage go to one sink. Sources and
 * sinks are arguments, so tests plug in their own and {@code main} (with the Kafka wiring) plugs in topics.
 */
public final class LiveMatchJob {

    /**
     * @param embedderId     the embedder every watchlist vector must come from
     * @param detector       detector settings (minimum score, tiling for small faces)
     * @param alertGap       sightings of a subject less than this apart are one walk-past
     * @param outOfOrderness how late a frame may arrive (event time) and still count
     * @param idleness       a camera quiet for this long stops holding back the event-time clock of the others
     */
    public record Config(String embedderId, FaceDetector.Config detector, Duration alertGap, Duration outOfOrderness,
                         Duration idleness) {
        public static Config defaults() {
            return new Config("fr-feature-512", FaceDetector.Config.defaults(), Duration.ofSeconds(10),
                    Duration.ofMillis(500), Duration.ofSeconds(5));
        }
    }

    private LiveMatchJob() {}

    /**
     * Submits the job against Kafka. Arguments: {@code --bootstrap HOST:PORT} (required), {@code --parallelism N},
     * {@code --checkpoint-ms MS} (default 10000), {@code --group ID}.
     */
    public static void main(String[] args) throws Exception {
        java.util.Map<String, String> a = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String bootstrap = a.get("bootstrap");
        if (bootstrap == null) {
            throw new IllegalArgumentException("--bootstrap HOST:PORT is required");
        }
        String group = a.getOrDefault("group", "lfr-live-match");
        org.apache.flink.streaming.api.environment.StreamExecutionEnvironment env =
                org.apache.flink.streaming.api.environment.StreamExecutionEnvironment.getExecutionEnvironment();
        env.enableCheckpointing(Long.parseLong(a.getOrDefault("checkpoint-ms", "10000")));
        if (a.containsKey("parallelism")) {
            env.setParallelism(Integer.parseInt(a.get("parallelism")));
        }
        org.apache.flink.api.common.eventtime.WatermarkStrategy<RawRecord> none =
                org.apache.flink.api.common.eventtime.WatermarkStrategy.noWatermarks();
        build(env.fromSource(KafkaWiring.source(bootstrap, KafkaWiring.FRAMES, group, false), none, "frames").uid("frames-source"),
                env.fromSource(KafkaWiring.source(bootstrap, KafkaWiring.DEPLOYMENTS, group, false), none, "deployments").uid("deployments-source"),
                env.fromSource(KafkaWiring.source(bootstrap, KafkaWiring.WATCHLIST, group, false), none, "watchlist").uid("watchlist-source"),
                KafkaWiring.alerts(bootstrap, KafkaWiring.ALERTS), KafkaWiring.deadLetters(bootstrap, KafkaWiring.DEAD_LETTERS),
                Config.defaults());
        env.execute("LFR live matching");
    }

    /** Wires the operators between the given raw topic streams and sinks. */
    public static void build(DataStream<RawRecord> frames, DataStream<RawRecord> deploymentRecords,
                             DataStream<RawRecord> watchlistRecords, Sink<MatchAlert> alerts,
                             Sink<DeadLetter> deadLetters, Config config) {
        SingleOutputStreamOperator<Deployment> deployments = deploymentRecords
                .process(new DecodeAvroRecords<>(Deployment.class)).uid("decode-deployments").name("decode deployments");
        SingleOutputStreamOperator<WatchlistUpdate> watchlist = watchlistRecords
                .process(new DecodeAvroRecords<>(WatchlistUpdate.class)).uid("decode-watchlist").name("decode watchlist");
        SingleOutputStreamOperator<SourcedFrame> decoded = frames
                .process(new DecodeFrameRecords()).uid("decode-frames").name("decode frame records");
        // the side output belongs to the decoding operator, not to the watermark operator after it
        SingleOutputStreamOperator<SourcedFrame> timed = decoded
                .assignTimestampsAndWatermarks(WatermarkStrategy.<SourcedFrame>forBoundedOutOfOrderness(config.outOfOrderness())
                        .withTimestampAssigner((f, ts) -> f.frame().getCaptureTime().toEpochMilli())
                        .withIdleness(config.idleness()))
                .uid("frame-event-time").name("frame event time");

        SingleOutputStreamOperator<GatedFrame> gated = timed
                .connect(deployments.broadcast(DeploymentGate.DEPLOYMENTS))
                .process(new DeploymentGate()).uid("deployment-gate").name("deployment gate");

        SingleOutputStreamOperator<MatchCandidate> candidates = gated
                .keyBy(g -> g.frame().getCamera())
                .connect(watchlist.broadcast(FaceMatcher.WATCHLIST))
                .process(new FaceMatcher(config.embedderId(), config.detector()))
                .uid("face-matcher").name("detect, track, embed, match");

        candidates.keyBy(AlertDeduplicator::keyOf)
                .process(new AlertDeduplicator(config.alertGap())).uid("alert-dedup").name("one alert per walk-past")
                .sinkTo(alerts).uid("alerts-sink").name("alerts");

        decoded.getSideOutput(DeadLetters.TAG)
                .union(deployments.getSideOutput(DeadLetters.TAG), watchlist.getSideOutput(DeadLetters.TAG),
                        gated.getSideOutput(DeadLetters.TAG), candidates.getSideOutput(DeadLetters.TAG))
                .sinkTo(deadLetters).uid("dead-letters-sink").name("dead letters");
    }
}
