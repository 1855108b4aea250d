package dev.lfr.jobs.kafka;

import dev.lfr.jobs.ingest.ControlTopic;
import dev.lfr.jobs.ingest.InputRules;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.DeadLetterReason;
import dev.lfr.schemas.WatchlistOp;
import dev.lfr.schemas.WatchlistUpdate;
import dev.lfr.topics.KafkaClients;
import dev.lfr.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Publishing to and reading the compacted watchlist topic (key {@code watchlist/subject}), for the CLI. */
public final class WatchlistTopic {
    private final String bootstrap;
    private final String topic;

    public WatchlistTopic(String bootstrap, String topic) {
        this.bootstrap = bootstrap;
        this.topic = topic;
    }

    public void publish(List<WatchlistUpdate> updates) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap)) {
            for (WatchlistUpdate u : updates) {
                producer.send(record(u)).get();
            }
        }
    }

    /** The topic record of an update, under its key. */
    public ProducerRecord<byte[], byte[]> record(WatchlistUpdate u) {
        return new ProducerRecord<>(topic, key(u.getWatchlist(), u.getSubject()), AvroBytes.encode(u));
    }

    /** A tombstone: once the topic is compacted, nothing of the subject's entry is left on it. */
    public ProducerRecord<byte[], byte[]> tombstone(String watchlist, String subject) {
        return new ProducerRecord<>(topic, key(watchlist, subject), null);
    }

    private static byte[] key(String watchlist, String subject) {
        return Topics.watchlistKey(watchlist, subject).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A watchlist's current entries, by subject, and how many of its records were left out as timed ahead of the
     * reader's clock: where there are any, the reader's clock is likely behind the writers' (and the job's).
     *
     * @param versions each subject's highest version on the topic: of its entry, of a deletion, or of an entry a
     *                 tombstone deleted that compaction has not yet removed (the job keeps a deletion at the version
     *                 it deleted, and ignores an enrolment older than that)
     */
    public record Listing(Map<String, WatchlistUpdate> entries, int aheadOfClock, Map<String, Long> versions) {}

    /**
     * The current entries of a watchlist: the latest update of each subject, deletions (and tombstones) left out. The
     * topic is read as the job reads it ({@link ControlTopicReads}, under the given rules, as if at {@code nowMs}), so
     * a listing shows what the job matches against.
     */
    public Listing list(String watchlist, InputRules rules, long nowMs) {
        Map<String, WatchlistUpdate> latest = new TreeMap<>();
        Map<String, Long> versions = new TreeMap<>();
        String prefix = Topics.watchlistKey(watchlist, "");
        int[] ahead = {0};
        ControlTopicReads.current(bootstrap, topic, ControlTopic.WATCHLIST, rules, u -> {
            if (u.getWatchlist().equals(watchlist)) { // every accepted value, before any tombstone removes it
                versions.merge(u.getSubject(), u.getVersion(), Math::max);
            }
            return u;
        }, ControlTopic.WATCHLIST::replaces,
                nowMs, (key, refused) -> {
                    if (key != null && key.startsWith(prefix) && refused.reason() == DeadLetterReason.CLOCK_SKEW) {
                        ahead[0]++;
                    }
                }).forEach((key, u) -> {
            if (u.getWatchlist().equals(watchlist) && u.getOp() == WatchlistOp.UPSERT) {
                latest.put(u.getSubject(), u);
            }
        });
        return new Listing(latest, ahead[0], versions);
    }
}
