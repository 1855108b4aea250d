package dev.lfr.jobs.ingest;

import java.io.Serializable;
import java.util.List;

/**
 * How an operator learns what a compacted control topic holds when it starts without state: it reads the topic
 * itself, in {@code open()}, so no data travels in the job graph. A restore from a checkpoint or savepoint uses the
 * restored state instead.
 */
@FunctionalInterface
public interface StartupRead<T> extends Serializable {
    /** The current value of every key: tombstones applied, refused records left out. */
    List<T> current();

    static <T> StartupRead<T> none() {
        return List::of;
    }

    /** A fixed list (tests, and jobs without Kafka). */
    static <T> StartupRead<T> of(List<T> values) {
        List<T> copy = List.copyOf(values);
        return () -> copy;
    }
}
