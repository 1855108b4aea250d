package dev.lfr.jobs.ingest;

import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;

/**
 * A function that reads a control topic in {@code initializeState} when it starts without state ({@link StartupRead})
 * and keeps nothing of its own in checkpoints: its broadcast and keyed state hold everything, and the start-up read
 * is only a base under them.
 */
public interface ReadsAtStartup extends CheckpointedFunction {
    @Override
    default void snapshotState(FunctionSnapshotContext context) {
        // nothing beyond the operator's own state
    }
}
