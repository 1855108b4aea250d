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
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
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
 * <p>Candidates need not arrive in event-time order: after a recovery, one camera's replayed frames can come
 * seconds after another camera's live ones, and the restarted job's watermark can run ahead on the partitions that
 * resume first. So a key keeps every alert it has open, and each closed one for {@link #LATE_RETENTION} more of
 * event time; a candidate joins the alert whose sightings it is less than {@code gap} from (reopening a closed one,
 * same id, emitted again when it ends), whatever came in between, and starts a new alert only when none is near.
 */
public class AlertDeduplicator extends KeyedProcessFunction<String, MatchCandidate, MatchAlert> {
    /** How long (event time) after a walk-past ends a late candidate can still join it. */
    static final Duration LATE_RETENTION = Duration.ofMinutes(2);

    private final long gapMs;
    /** Alert id to alert: walk-pasts still going on, and those ended less than {@link #LATE_RETENTION} ago. */
    private transient MapState<String, MatchAlert> open;
    private transient MapState<String, MatchAlert> closed;
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
        open = getRuntimeContext().getMapState(new MapStateDescriptor<>("openAlerts", Types.STRING, type));
        closed = getRuntimeContext().getMapState(new MapStateDescriptor<>("closedAlerts", Types.STRING, type));
        alerts = getRuntimeContext().getMetricGroup().counter("alerts");
    }

    @Override
    public void processElement(MatchCandidate c, Context ctx, Collector<MatchAlert> out) throws Exception {
        MatchAlert current = near(open, c);
        // the timer this candidate's walk-past had: its end while open, its clean-up once closed
        Long superseded = current == null ? null : current.getLastSeen().toEpochMilli() + gapMs;
        if (current == null) {
            current = near(closed, c);
            if (current != null) {
                closed.remove(current.getAlertId()); // a late candidate of an ended walk-past: it reopens, same id
                superseded = current.getLastSeen().toEpochMilli() + gapMs + LATE_RETENTION.toMillis();
            }
        }
        MatchAlert updated;
        if (current == null) {
            updated = MatchAlert.newBuilder()
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
            out.collect(updated);
        } else {
            updated = merged(current, c);
        }
        long end = updated.getLastSeen().toEpochMilli() + gapMs;
        open.put(updated.getAlertId(), updated);
        if (superseded != null && superseded != end && !timerNeeded(superseded)) {
            ctx.timerService().deleteEventTimeTimer(superseded);
        }
        ctx.timerService().registerEventTimeTimer(end);
    }

    /** Whether an alert of this key still ends, or is cleaned up, at {@code timestamp}. */
    private boolean timerNeeded(long timestamp) throws Exception {
        for (MatchAlert a : open.values()) {
            if (a.getLastSeen().toEpochMilli() + gapMs == timestamp) {
                return true;
            }
        }
        for (MatchAlert a : closed.values()) {
            if (a.getLastSeen().toEpochMilli() + gapMs + LATE_RETENTION.toMillis() == timestamp) {
                return true;
            }
        }
        return false;
    }

    /** The alert of {@code alerts} whose walk-past the candidate belongs to: less than the gap from its sightings. */
    private MatchAlert near(MapState<String, MatchAlert> alerts, MatchCandidate c) throws Exception {
        for (MatchAlert a : alerts.values()) {
            if (c.timeMs() - a.getLastSeen().toEpochMilli() < gapMs && a.getFirstSeen().toEpochMilli() - c.timeMs() < gapMs) {
                return a;
            }
        }
        return null;
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

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<MatchAlert> out) throws Exception {
        // one timer per alert: a later sighting moves it (the superseded one is deleted in processElement)
        for (MatchAlert a : toList(open.values())) {
            long end = a.getLastSeen().toEpochMilli() + gapMs;
            if (timestamp >= end) {
                out.collect(a);
                open.remove(a.getAlertId());
                closed.put(a.getAlertId(), a);
                ctx.timerService().registerEventTimeTimer(end + LATE_RETENTION.toMillis());
            }
        }
        for (MatchAlert a : toList(closed.values())) {
            if (timestamp >= a.getLastSeen().toEpochMilli() + gapMs + LATE_RETENTION.toMillis()) {
                closed.remove(a.getAlertId());
            }
        }
    }

    private static List<MatchAlert> toList(Iterable<MatchAlert> values) {
        List<MatchAlert> list = new ArrayList<>();
        values.forEach(list::add);
        return list;
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
