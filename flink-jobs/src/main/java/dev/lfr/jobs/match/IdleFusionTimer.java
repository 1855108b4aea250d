package dev.lfr.jobs.match;

import dev.lfr.udfs.pipeline.WalkPastFusion;
import java.io.IOException;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;

/**
 * A processing-time timer for each camera whose faces may be fused ({@link WalkPastFusion}), due when its fused
 * descriptors have been idle long enough to be dropped: a camera that goes silent mid-track loses them then, even
 * when no camera sends another frame. One timer per camera: a later frame moves it, deleting the one it supersedes.
 * The timer holds a time, never a descriptor.
 */
final class IdleFusionTimer {
    private static final long IDLE_MS = WalkPastFusion.IDLE_NANOS / 1_000_000;

    private final ValueState<Long> due;

    /** In the operator's {@code open()}: the timer's state, with the camera's other state's time to live. */
    IdleFusionTimer(RuntimeContext runtime, StateTtlConfig ttl) {
        ValueStateDescriptor<Long> descriptor = new ValueStateDescriptor<>("fusionIdleTimer", Types.LONG);
        descriptor.enableTimeToLive(ttl);
        due = runtime.getState(descriptor);
    }

    /** After a frame of the current camera; {@code fusing}: it has tracks whose faces may be fused. */
    void afterFrame(TimerService timers, boolean fusing) throws IOException {
        if (!fusing) {
            return;
        }
        // on a whole second past the idle time: the timer moves at most once a second, not on every frame
        long at = (timers.currentProcessingTime() + IDLE_MS) / 1000 * 1000 + 1000;
        Long pending = due.value();
        if (pending == null || pending < at) {
            if (pending != null) {
                timers.deleteProcessingTimeTimer(pending);
            }
            timers.registerProcessingTimeTimer(at);
            due.update(at);
        }
    }

    /** The current camera's timer fired. */
    void fired() {
        due.clear();
    }
}
