package dev.lfr.jobs.ingest;

import java.io.Serializable;
import java.util.List;
import org.apache.flink.runtime.state.FunctionInitializationContext;

/**
 * How an operator learns what a compacted control topic holds when it starts without state: it reads the topic
 * itself, in {@code open()}, so no data travels in the job graph. A restore from a checkpoint or savepoint uses the
 * restored state instead.
 */
@FunctionalInterface
public interface StartupRead<T> extends Serializable {
    /** The current value of every key: tombstones applied, refused records left out. */
    List<T> current();

    /**
     * What an operator starts from, called in its {@code initializeState}: the topic's current values when it starts
     * without state; nothing when it is restored, since its broadcast state holds the topic then.
     */
    default List<T> atStart(FunctionInitializationContext context) {
        return context.isRestored() ? List.of() : current();
    }

    static <T> StartupRead<T> none() {
        return List::of;
    }

    /** A fixed list (tests, and jobs without Kafka). */
    static <T> StartupRead<T> of(List<T> values) {
        List<T> copy = List.copyOf(values);
        return () -> copy;
    }
}
