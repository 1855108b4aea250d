package dev.lfr.jobs.metrics;

import dev.lfr.schemas.Adjudication;
import dev.lfr.schemas.MatchAlert;
import dev.lfr.schemas.Verdict;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by alert id: counts each alert once (the deduplicator writes an alert twice, and a replay after a failure
 * writes it again) and attributes officers' adjudications to the alert's deployment and first camera. An
 * adjudication may arrive before its alert (topics are read independently); it waits in state until the alert
 * comes. A changed verdict moves the count from the old verdict to the new one. Only ids, deployment, camera and
 * verdict are kept, with a TTL of {@code retention}.
 */
public class AdjudicationJoiner extends KeyedCoProcessFunction<String, MatchAlert, Adjudication, MetricEvent> {
    private final Duration retention;
    private transient ValueState<String> deployment;
    private transient ValueState<String> camera;
    private transient ValueState<String> verdict;
    private transient ValueState<Adjudication> pending;
    private transient Counter unknownVerdicts;

    public AdjudicationJoiner(Duration retention) {
        this.retention = retention;
    }

    @Override
    public void open(OpenContext openContext) {
        StateTtlConfig ttl = StateTtlConfig.newBuilder(retention).build();
        deployment = getRuntimeContext().getState(withTtl(new ValueStateDescriptor<>("deployment", Types.STRING), ttl));
        camera = getRuntimeContext().getState(withTtl(new ValueStateDescriptor<>("camera", Types.STRING), ttl));
        verdict = getRuntimeContext().getState(withTtl(new ValueStateDescriptor<>("verdict", Types.STRING), ttl));
        pending = getRuntimeContext().getState(withTtl(
                new ValueStateDescriptor<>("pendingAdjudication", new AvroTypeInfo<>(Adjudication.class)), ttl));
        unknownVerdicts = getRuntimeContext().getMetricGroup().counter("unknownVerdicts");
    }

    private static <T> ValueStateDescriptor<T> withTtl(ValueStateDescriptor<T> d, StateTtlConfig ttl) {
        d.enableTimeToLive(ttl);
        return d;
    }

    @Override
    public void processElement1(MatchAlert alert, Context ctx, Collector<MetricEvent> out) throws Exception {
        if (deployment.value() != null) {
            return; // the same alert again: its completion record or a replay
        }
        String firstCamera = alert.getCameras().isEmpty() ? null : alert.getCameras().get(0);
        deployment.update(alert.getDeployment());
        if (firstCamera != null) {
            camera.update(firstCamera);
        }
        out.collect(MetricEvent.alert(alert.getDeployment(), firstCamera, alert.getFirstSeen().toEpochMilli()));
        Adjudication waiting = pending.value();
        if (waiting != null) {
            pending.clear();
            apply(waiting, out);
        }
    }

    @Override
    public void processElement2(Adjudication adjudication, Context ctx, Collector<MetricEvent> out) throws Exception {
        if (adjudication.getVerdict() == Verdict.UNKNOWN) {
            unknownVerdicts.inc(); // a verdict this version does not know: not counted either way
            return;
        }
        if (deployment.value() == null) {
            pending.update(adjudication); // the verdict written last stands, as after the alert and in the console
            return;
        }
        apply(adjudication, out);
    }

    private void apply(Adjudication adjudication, Collector<MetricEvent> out) throws Exception {
        String previous = verdict.value();
        String now = adjudication.getVerdict().name();
        if (now.equals(previous)) {
            return;
        }
        long trueDelta = countsAs(now, Verdict.CONFIRMED) - countsAs(previous, Verdict.CONFIRMED);
        long falseDelta = countsAs(now, Verdict.FALSE_ALERT) - countsAs(previous, Verdict.FALSE_ALERT);
        verdict.update(now);
        if (trueDelta != 0 || falseDelta != 0) {
            out.collect(MetricEvent.adjudication(deployment.value(), camera.value(),
                    adjudication.getTime().toEpochMilli(), trueDelta, falseDelta));
        }
    }

    private static long countsAs(String verdict, Verdict v) {
        return v.name().equals(verdict) ? 1 : 0;
    }
}
