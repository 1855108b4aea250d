package dev.lfr.jobs.ingest;

import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Deployments and watchlist updates are control streams: rare records with no event time of their own. An
 * operator's event-time clock is the minimum over its inputs, so a control stream without watermarks would hold the
 * frames' clock back forever (no walk-past would ever end, no metric window close). Marking it idle takes it out of
 * that minimum while its records still flow. A watermark of Long.MAX_VALUE would do the same until every camera
 * went quiet, and then end event time for good.
 */
public final class ControlStreams {
    private ControlStreams() {}

    public static <T> DataStream<T> neverHoldBack(DataStream<T> control, String name) {
        return control.assignTimestampsAndWatermarks(WatermarkStrategy.forGenerator(ctx -> new AlwaysIdle<T>()))
                .uid(name + "-idle-clock").name(name + " (no event time)");
    }

    private static final class AlwaysIdle<T> implements WatermarkGenerator<T> {
        @Override
        public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {}

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            output.markIdle();
        }
    }
}
