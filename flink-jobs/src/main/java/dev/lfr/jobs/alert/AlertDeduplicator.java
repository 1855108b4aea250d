package dev.lfr.jobs.alert;

import dev.lfr.jobs.match.MatchCandidate;
import dev.lfr.schemas.MatchAlert;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * One alert per walk-past: candidates of a (deployment, subject) key whose event times are less than {@code gap}
 * apart, on any camera, belong to the same walk-past. The alert is emitted at the first candidate (officers need it
 * at once) and once more, with the same id, when the walk-past ends (an event-time timer at last sighting + gap),
 * carrying all cameras, the sighting count and the best-scoring crop. The alert topic is keyed by alert id, so the
 * second record updates the first.
 *
 * <p>The id is a hash of deployment, subject and the first sighting's event time: replaying the same candidates
 * after a failure gives the same id, so at-least-once delivery never shows one walk-past as two alerts.
 *
 * <p>A candidate can arrive after the walk-past it belongs to was closed: after a recovery the restarted job's
 * watermark can run ahead on the partitions that resume first, so another camera's replayed frames come late. The
 * last closed alert of a key is therefore kept for {@link #LATE_RETENTION} more of event time; a candidate within
 * {@code gap} of it reopens it (same id, emitted again when it ends) instead of starting a second alert.
 */
public class AlertDeduplicator extends KeyedProcessFunction<String, MatchCandidate, MatchAlert> {
    /** How long (event time) after a walk-past ends a late candidate can still join it. */
    static final Duration LATE_RETENTION = Duration.ofMinutes(2);

    private final long gapMs;
    private transient ValueState<MatchAlert> open;
    private transient ValueState<MatchAlert> closed;
    private transient Counter alerts;

    public AlertDeduplicator(Duration gap) {
        if (gap.isNegative() || gap.isZero()) {
            throw new IllegalArgumentException("the gap must be positive");
        }
        this.gapMs = gap.toMillis();
    }

    /** The key a candidate is deduplicated under. */
    public static String keyOf(MatchCandidate c) {
        return c.deployment() + "/" + c.subject();
    }

    @Override
    public void open(OpenContext openContext) {
        AvroTypeInfo<MatchAlert> type = new AvroTypeInfo<>(MatchAlert.class);
        open = getRuntimeContext().getState(new ValueStateDescriptor<>("openAlert", type));
        closed = getRuntimeContext().getState(new ValueStateDescriptor<>("lastClosedAlert", type));
        alerts = getRuntimeContext().getMetricGroup().counter("alerts");
    }

    @Override
    public void processElement(MatchCandidate c, Context ctx, Collector<MatchAlert> out) throws Exception {
        MatchAlert current = open.value();
        if (current != null && !joins(c, current)) {
            close(current, ctx, out); // a late timer: the previous walk-past ended before this candidate
            current = null;
        }
        if (current == null && closed.value() != null && joins(c, closed.value())) {
            current = closed.value(); // a late candidate of a walk-past already closed: it reopens, same id
            closed.clear();
        }
        if (current == null) {
            MatchAlert first = MatchAlert.newBuilder()
                    .setAlertId(alertId(c.deployment(), c.subject(), c.timeMs()))
                    .setDeployment(c.deployment())
                    .setCameras(List.of(c.camera()))
                    .setSubject(c.subject())
                    .setBestScore(c.score())
                    .setFirstSeen(Instant.ofEpochMilli(c.timeMs()))
                    .setLastSeen(Instant.ofEpochMilli(c.timeMs()))
                    .setSightings(1)
                    .setBestCropJpeg(ByteBuffer.wrap(c.cropJpeg()))
                    .setWatchlistVersion(c.watchlistVersion())
                    .setEmbeddingModel(c.embeddingModel())
                    .build();
            alerts.inc();
            out.collect(first);
            open.update(first);
        } else {
            open.update(merged(current, c));
        }
        ctx.timerService().registerEventTimeTimer(open.value().getLastSeen().toEpochMilli() + gapMs);
    }

    /** Whether a candidate belongs to an alert's walk-past: less than the gap from its sightings, either side. */
    private boolean joins(MatchCandidate c, MatchAlert a) {
        return c.timeMs() - a.getLastSeen().toEpochMilli() < gapMs && a.getFirstSeen().toEpochMilli() - c.timeMs() < gapMs;
    }

    private static MatchAlert merged(MatchAlert current, MatchCandidate c) {
        List<String> cameras = new ArrayList<>(current.getCameras());
        if (!cameras.contains(c.camera())) {
            cameras.add(c.camera());
        }
        boolean better = c.score() > current.getBestScore();
        return MatchAlert.newBuilder(current)
                .setCameras(cameras)
                .setSightings(current.getSightings() + 1)
                .setFirstSeen(Instant.ofEpochMilli(Math.min(c.timeMs(), current.getFirstSeen().toEpochMilli())))
                .setLastSeen(Instant.ofEpochMilli(Math.max(c.timeMs(), current.getLastSeen().toEpochMilli())))
                .setBestScore(Math.max(c.score(), current.getBestScore()))
                .setBestCropJpeg(better ? ByteBuffer.wrap(c.cropJpeg()) : current.getBestCropJpeg())
                .setWatchlistVersion(Math.max(c.watchlistVersion(), current.getWatchlistVersion()))
                .build();
    }

    /** Emits the completed alert and keeps it, for late candidates, until {@link #LATE_RETENTION} has passed. */
    private void close(MatchAlert current, Context ctx, Collector<MatchAlert> out) throws Exception {
        out.collect(current);
        open.clear();
        closed.update(current);
        ctx.timerService().registerEventTimeTimer(current.getLastSeen().toEpochMilli() + gapMs + LATE_RETENTION.toMillis());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<MatchAlert> out) throws Exception {
        MatchAlert current = open.value();
        // timers of earlier sightings fire too; only the one after the last sighting ends the walk-past
        if (current != null && timestamp >= current.getLastSeen().toEpochMilli() + gapMs) {
            close(current, ctx, out);
        }
        MatchAlert last = closed.value();
        if (last != null && timestamp >= last.getLastSeen().toEpochMilli() + gapMs + LATE_RETENTION.toMillis()) {
            closed.clear();
        }
    }

    /** Deterministic: the same walk-past (deployment, subject, first sighting) always gets the same id. */
    public static String alertId(String deployment, String subject, long firstSeenMs) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((deployment + "\u0000" + subject + "\u0000" + firstSeenMs).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
