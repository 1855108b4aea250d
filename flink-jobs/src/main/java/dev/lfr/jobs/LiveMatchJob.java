package dev.lfr.jobs;

import dev.lfr.jobs.alert.AlertDeduplicator;
import dev.lfr.jobs.deadletter.DeadLetters;
import dev.lfr.jobs.gate.DeploymentGate;
import dev.lfr.jobs.gate.GatedFrame;
import dev.lfr.jobs.ingest.DecodeFrameRecords;
import dev.lfr.jobs.ingest.RawRecord;
import dev.lfr.jobs.ingest.SourcedFrame;
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

    /** Wires the operators between the given streams and sinks. */
    public static void build(DataStream<RawRecord> frames, DataStream<Deployment> deployments,
                             DataStream<WatchlistUpdate> watchlist, Sink<MatchAlert> alerts,
                             Sink<DeadLetter> deadLetters, Config config) {
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
                .union(gated.getSideOutput(DeadLetters.TAG), candidates.getSideOutput(DeadLetters.TAG))
                .sinkTo(deadLetters).uid("dead-letters-sink").name("dead letters");
    }
}
