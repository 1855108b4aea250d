package dev.lfr.jobs.ingest;

import dev.lfr.jobs.deadletter.DeadLetters;
import dev.lfr.jobs.deadletter.Provenance;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.DeadLetterReason;
import dev.lfr.schemas.FrameEvent;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Avro bytes from the frames topic to {@link FrameEvent}s. Bytes that are not one FrameEvent (another schema,
 * garbage, a truncated record, a claim over the decoding caps) and frames that fail {@link InputRules#checkFrame}
 * go to {@link DeadLetters#TAG} with a reason code and are counted; the job runs on.
 *
 * <p>This is before event time: a frame whose capture time is far ahead of the job's clock (or absurdly old) is a
 * CLOCK_SKEW dead letter here, so it can neither push the watermark ahead (every other camera's frames would then
 * be late) nor be dropped silently as late data. Such frames are also counted per camera
 * ({@code clockSkew}, group {@code camera}), so an operator can alert on a camera whose clock is wrong.
 */
public class DecodeFrameRecords extends ProcessFunction<RawRecord, SourcedFrame> {
    /** Per-camera counters kept at most; camera ids come from the input, so their number must be bounded. */
    static final int MAX_CAMERA_COUNTERS = 1_000;
    static final String OTHER_CAMERAS = "other";

    private final InputRules rules;
    private transient AvroBytes.Reader<FrameEvent> reader;
    private transient Counter deadLetters;
    private transient MetricGroup metrics;
    private transient Map<String, Counter> clockSkewByCamera;

    public DecodeFrameRecords(InputRules rules) {
        this.rules = rules;
    }

    @Override
    public void open(OpenContext openContext) {
        reader = new AvroBytes.Reader<>(FrameEvent.class);
        metrics = getRuntimeContext().getMetricGroup();
        deadLetters = metrics.counter(DeadLetters.COUNTER);
        clockSkewByCamera = new HashMap<>();
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<SourcedFrame> out) {
        FrameEvent frame;
        try {
            frame = reader.read(record.value());
        } catch (AvroBytes.UndecodableException e) {
            reject(ctx, record.source(), null, DeadLetterReason.UNDECODABLE_RECORD, e.getMessage());
            return;
        }
        try {
            rules.checkFrame(frame, ctx.timerService().currentProcessingTime());
        } catch (RecordRejected e) {
            if (e.reason() == DeadLetterReason.CLOCK_SKEW) {
                clockSkew(frame.getCamera()).inc(); // the camera id passed its checks before the clock's
            }
            reject(ctx, record.source(), frame.getCamera(), e.reason(), e.detail());
            return;
        } catch (RuntimeException e) {
            // a check that did not foresee this record (a bug of ours): the frame is lost, the job is not
            reject(ctx, record.source(), null, DeadLetterReason.INTERNAL_ERROR, e.getClass().getSimpleName());
            return;
        }
        out.collect(new SourcedFrame(record.source(), frame));
    }

    private Counter clockSkew(String camera) {
        String group = clockSkewByCamera.containsKey(camera) || clockSkewByCamera.size() < MAX_CAMERA_COUNTERS
                ? camera : OTHER_CAMERAS;
        return clockSkewByCamera.computeIfAbsent(group, g -> metrics.addGroup("camera", g).counter("clockSkew"));
    }

    private void reject(Context ctx, Provenance source, String camera, DeadLetterReason reason, String detail) {
        deadLetters.inc();
        ctx.output(DeadLetters.TAG, DeadLetters.of(source, camera, reason, detail));
    }
}
