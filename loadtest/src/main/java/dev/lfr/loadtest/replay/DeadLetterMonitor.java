package dev.lfr.loadtest.replay;

import dev.lfr.schemas.DeadLetter;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Follows the dead-letter topic during a replay and counts the replay's frames the job refused, by reason: a frame
 * the job refuses never reaches its matcher, so without this count a replay whose frames were refused (capture times
 * sent too far ahead of the clock, say) would report figures over a fraction of its frames without saying so. Only
 * dead letters of frames the replay sent count: of the frames topic, for its cameras, at or after the offsets the
 * topic's partitions had reached when it started (offsets, not times: the job's clock may not be the replay's).
 */
public final class DeadLetterMonitor implements AutoCloseable {
    private final Map<String, Long> byReason = new TreeMap<>(); // guarded by itself
    private final TopicFollower<DeadLetter> follower;

    /** @param framesFrom each partition of {@code framesTopic} with its end offset before the replay sent a frame */
    public DeadLetterMonitor(String bootstrap, String topic, String framesTopic, Set<String> cameras,
                             Map<Integer, Long> framesFrom) {
        // the replay's frames are not sent yet, so none of their dead letters can be on the topic before now
        follower = TopicFollower.fromNow(bootstrap, topic, DeadLetter.class, (d, received) -> {
            if (framesTopic.equals(d.getSourceTopic()) && d.getCamera() != null && cameras.contains(d.getCamera())
                    && d.getSourceOffset() >= framesFrom.getOrDefault(d.getSourcePartition(), 0L)) {
                synchronized (byReason) {
                    byReason.merge(d.getReason().name(), 1L, Long::sum);
                }
            }
        });
    }

    /** The replay's frames refused so far, and why. */
    public ReplayReport.RefusedFrames refused() {
        synchronized (byReason) {
            return new ReplayReport.RefusedFrames(byReason.values().stream().mapToLong(Long::longValue).sum(),
                    Collections.unmodifiableMap(new TreeMap<>(byReason)));
        }
    }

    @Override
    public void close() throws Exception {
        follower.close();
    }
}
