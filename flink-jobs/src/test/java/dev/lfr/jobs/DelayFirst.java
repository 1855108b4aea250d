package dev.lfr.jobs;

import org.apache.flink.api.common.functions.MapFunction;

/**
 * Holds back the first element for a while: a test stand-in for "the compacted deployment and watchlist topics are
 * read before frames flow", so that broadcast state is filled when the first frame arrives.
 */
public final class DelayFirst<T> implements MapFunction<T, T> {
    private final long ms;
    private boolean waited;

    public DelayFirst(long ms) {
        this.ms = ms;
    }

    @Override
    public T map(T value) throws Exception {
        if (!waited) {
            Thread.sleep(ms);
            waited = true;
        }
        return value;
    }
}
