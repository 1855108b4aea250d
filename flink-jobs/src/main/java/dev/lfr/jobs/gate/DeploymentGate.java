package dev.lfr.jobs.gate;

import dev.lfr.jobs.deadletter.DeadLetters;
import dev.lfr.jobs.ingest.ControlRecord;
import dev.lfr.jobs.ingest.ReadsAtStartup;
import dev.lfr.jobs.ingest.SourcedFrame;
import dev.lfr.jobs.ingest.StartupRead;
import dev.lfr.schemas.DeadLetterReason;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.DeploymentStatus;
import dev.lfr.schemas.FrameEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Lets through only frames that a signposted deployment covers: the camera is one of an ACTIVE deployment's
 * cameras and the frame's capture time is inside its window. Every other frame is dead-lettered (UNKNOWN_CAMERA when
 * no deployment lists the camera, OUTSIDE_DEPLOYMENT when one does but is not active then), counted, and its image
 * bytes go no further. Deployments arrive on a broadcast stream, keyed by id; the latest record of an id wins, and
 * deployments that ended more than {@link #RETENTION} before the newest deployment's start are forgotten, so the
 * broadcast state does not grow for ever. Deployments reach the gate checked ({@code InputRules}): a threshold
 * out of range, an empty camera list or an unknown status never gets here. A tombstone of a deployment id ends
 * the deployment at once: it stays in state as CANCELLED (until retention forgets it), because removing it would
 * let the start-up snapshot's copy show through again. When two active deployments cover a camera at a frame's
 * time, the one that started last takes the frame (then the greater id): the choice must not depend on the order
 * of the broadcast state's map, which a restore rebuilds, or a recovery would move a camera's frames, and its
 * alerts' ids, to another deployment.
 *
 * <p>At a first start the frames topic and the deployments topic are read at the same time, so frames can come
 * before the deployment that covers them. A gate that starts without state therefore reads the deployments topic
 * in {@code open()} ({@link StartupRead}); those deployments are the base under the broadcast state, which
 * overrides them record by record as the topic is read (the topic holds everything the base holds, and newer). A
 * gate restored from a checkpoint or savepoint uses its state.
 */
public class DeploymentGate extends BroadcastProcessFunction<SourcedFrame, ControlRecord<Deployment>, GatedFrame>
        implements ReadsAtStartup {
    public static final Duration RETENTION = Duration.ofDays(1);

    /** Deployment id to deployment; the broadcast state, the same on every subtask. */
    public static final MapStateDescriptor<String, Deployment> DEPLOYMENTS =
            new MapStateDescriptor<>("deployments", TypeInformation.of(String.class), TypeInformation.of(Deployment.class));

    private final StartupRead<Deployment> startupRead;
    private transient List<Deployment> atStartup;
    private transient Counter passed;
    private transient Counter rejected;

    public DeploymentGate() {
        this(StartupRead.none());
    }

    /** @param startupRead how to read the deployments topic when starting without state (see the class comment) */
    public DeploymentGate(StartupRead<Deployment> startupRead) {
        this.startupRead = startupRead;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {
        atStartup = startupRead.atStart(context);
    }

    @Override
    public void open(OpenContext openContext) {
        passed = getRuntimeContext().getMetricGroup().counter("framesInDeployment");
        rejected = getRuntimeContext().getMetricGroup().counter(DeadLetters.COUNTER);
    }

    @Override
    public void processElement(SourcedFrame in, ReadOnlyContext ctx, Collector<GatedFrame> out) throws Exception {
        FrameEvent f = in.frame();
        long t = f.getCaptureTime().toEpochMilli();
        boolean listed = false;
        Deployment covering = null;
        for (Deployment d : current(ctx.getBroadcastState(DEPLOYMENTS))) {
            if (!d.getCameras().contains(f.getCamera())) {
                continue;
            }
            listed = true;
            if (d.getStatus() == DeploymentStatus.ACTIVE && d.getStart().toEpochMilli() <= t && t < d.getEnd().toEpochMilli()
                    && (covering == null || LATEST_START.compare(d, covering) > 0)) {
                covering = d;
            }
        }
        if (covering != null) {
            passed.inc();
            out.collect(new GatedFrame(in.source(), f, covering.getId(), covering.getWatchlist(), covering.getThreshold()));
            return;
        }
        rejected.inc();
        ctx.output(DeadLetters.TAG, DeadLetters.of(in.source(), f.getCamera(),
                listed ? DeadLetterReason.OUTSIDE_DEPLOYMENT : DeadLetterReason.UNKNOWN_CAMERA,
                listed ? "no active deployment of this camera at " + f.getCaptureTime()
                        : "camera is in no deployment"));
    }

    private static final java.util.Comparator<Deployment> LATEST_START = java.util.Comparator
            .comparing((Deployment d) -> d.getStart()).thenComparing(Deployment::getId);

    /** The broadcast state over the startup snapshot: a deployment id in the state replaces the snapshot's. */
    private Iterable<Deployment> current(ReadOnlyBroadcastState<String, Deployment> state) throws Exception {
        if (atStartup.isEmpty()) { // restored, or the topic was empty: no map to build for every frame
            Iterable<Map.Entry<String, Deployment>> entries = state.immutableEntries();
            return () -> java.util.stream.StreamSupport.stream(entries.spliterator(), false)
                    .map(Map.Entry::getValue).iterator();
        }
        Map<String, Deployment> merged = new java.util.LinkedHashMap<>();
        atStartup.forEach(d -> merged.put(d.getId(), d));
        for (Map.Entry<String, Deployment> e : state.immutableEntries()) {
            merged.put(e.getKey(), e.getValue());
        }
        return merged.values();
    }

    @Override
    public void processBroadcastElement(ControlRecord<Deployment> r, Context ctx, Collector<GatedFrame> out)
            throws Exception {
        BroadcastState<String, Deployment> state = ctx.getBroadcastState(DEPLOYMENTS);
        Deployment d = r.value();
        if (r.isTombstone()) {
            Deployment deleted = state.contains(r.key()) ? state.get(r.key()) : atStartup(r.key());
            if (deleted != null) {
                state.put(r.key(), Deployment.newBuilder(deleted).setStatus(DeploymentStatus.CANCELLED).build());
            }
            return;
        }
        state.put(d.getId(), d);
        long horizon = d.getStart().toEpochMilli() - RETENTION.toMillis();
        List<String> expired = new ArrayList<>();
        for (Map.Entry<String, Deployment> e : state.entries()) {
            if (e.getValue().getEnd().toEpochMilli() < horizon) {
                expired.add(e.getKey());
            }
        }
        for (String id : expired) {
            state.remove(id);
        }
    }

    private Deployment atStartup(String id) {
        return atStartup.stream().filter(d -> d.getId().equals(id)).findFirst().orElse(null);
    }
}
