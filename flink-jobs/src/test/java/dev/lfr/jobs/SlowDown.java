package dev.lfr.jobs;

import org.apache.flink.api.common.functions.MapFunction;

/** Spaces elements out in processing time, so checkpoints happen between them in a test. */
public final class SlowDown<T> implements MapFunction<T, T> {
    private final long ms;

    public SlowDown(long ms) {
        this.ms = ms;
    }

    @Override
    public T map(T value) throws Exception {
        Thread.sleep(ms);
        return value;
    }
}
