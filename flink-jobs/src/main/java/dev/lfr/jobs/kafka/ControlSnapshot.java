package dev.lfr.jobs.kafka;

import dev.lfr.jobs.ingest.ControlRecord;
import dev.lfr.jobs.ingest.ControlTopic;
import dev.lfr.jobs.ingest.InputRules;
import dev.lfr.jobs.ingest.Provenance;
import dev.lfr.jobs.ingest.RecordRejected;
import dev.lfr.jobs.LiveMatchJob;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.Deployment;
import dev.lfr.schemas.WatchlistUpdate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The deployments and watchlist entries current on their compacted topics, read once when the job is submitted and
 * handed to the gate and the matcher as the base of their broadcast state (see {@code DeploymentGate}). It is read
 * exactly as the job reads the topics ({@link ControlTopic}: the same decoding caps, checks and tombstones), so a
 * hostile or invalid record is skipped here as it is dead-lettered there. Watchlists larger than
 * {@link #MAX_WATCHLIST} entries are left out: they would bloat the job graph, and such a job then starts as it
 * would without a snapshot (frames before the watchlist is read find no match).
 */
public record ControlSnapshot(List<Deployment> deployments, List<WatchlistUpdate> watchlist) {
    public static final int MAX_WATCHLIST = 20_000;

    public static ControlSnapshot none() {
        return new ControlSnapshot(List.of(), List.of());
    }

    /** Reads both topics to their current end under the default {@link LiveMatchJob.Config}'s rules. */
    public static ControlSnapshot read(String bootstrap) {
        return read(bootstrap, LiveMatchJob.Config.defaults().input());
    }

    public static ControlSnapshot read(String bootstrap, InputRules rules) {
        Map<String, Deployment> deployments = current(bootstrap, KafkaWiring.DEPLOYMENTS, ControlTopic.DEPLOYMENTS, rules);
        Map<String, WatchlistUpdate> watchlist = current(bootstrap, KafkaWiring.WATCHLIST, ControlTopic.WATCHLIST, rules);
        List<WatchlistUpdate> entries = watchlist.size() <= MAX_WATCHLIST ? List.copyOf(watchlist.values()) : List.of();
        return new ControlSnapshot(List.copyOf(deployments.values()), entries);
    }

    /** The latest accepted value of each key; a tombstone removes its key. */
    private static <T extends SpecificRecord> Map<String, T> current(String bootstrap, String topicName,
                                                                    ControlTopic<T> topic, InputRules rules) {
        AvroBytes.Reader<T> reader = new AvroBytes.Reader<>(topic.type());
        long now = System.currentTimeMillis();
        Map<String, T> latest = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaClients.readToEnd(bootstrap, topicName)) {
            try {
                ControlRecord<T> c = topic.read(reader, new Provenance(r.topic(), r.partition(), r.offset()), r.key(),
                        r.value(), rules, now);
                if (c.isTombstone()) {
                    latest.remove(c.key());
                } else if (!latest.containsKey(c.key()) || topic.replaces(c.value(), latest.get(c.key()))) {
                    latest.put(c.key(), c.value());
                }
            } catch (RecordRejected e) {
                // the job dead-letters it when it reads the topic; a snapshot only leaves it out
            }
        }
        return latest;
    }
}
