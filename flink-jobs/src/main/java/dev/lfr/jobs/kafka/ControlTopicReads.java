package dev.lfr.jobs.kafka;

import dev.lfr.jobs.deadletter.Provenance;
import dev.lfr.jobs.ingest.ControlRecord;
import dev.lfr.jobs.ingest.ControlTopic;
import dev.lfr.jobs.ingest.InputRules;
import dev.lfr.jobs.ingest.RecordRejected;
import dev.lfr.jobs.ingest.StartupRead;
import dev.lfr.jobs.ingest.StartupReads;
import dev.lfr.schemas.AvroBytes;
import dev.lfr.schemas.Deployment;
import dev.lfr.topics.KafkaClients;
import dev.lfr.topics.Topics;
import dev.lfr.udfs.watchlist.LiveWatchlist;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads a compacted control topic to its current end, exactly as the job reads it ({@link ControlTopic}: the same
 * decoding caps, checks and tombstones), so a hostile or invalid record is left out here as it is dead-lettered
 * there. The gate and the matcher do this in {@code open()} when they start without state; only the broker's
 * address travels in the job graph, whatever the size of the watchlist.
 */
public final class ControlTopicReads {
    private ControlTopicReads() {}

    /** Both control topics of {@code bootstrap}, read under {@code rules}. */
    public static StartupReads kafka(String bootstrap, InputRules rules) {
        return new StartupReads(new DeploymentsRead(bootstrap, rules), new WatchlistRead(bootstrap, rules));
    }

    /** The deployments of the topic as the job reads them: by id, the latest record the rules accept. */
    public static Map<String, Deployment> deployments(String bootstrap, String topic, InputRules rules) {
        return current(bootstrap, topic, ControlTopic.DEPLOYMENTS, rules, d -> d, ControlTopic.DEPLOYMENTS::replaces);
    }

    private record DeploymentsRead(String bootstrap, InputRules rules) implements StartupRead<Deployment> {
        @Override
        public List<Deployment> current() {
            return List.copyOf(deployments(bootstrap, Topics.DEPLOYMENTS, rules).values());
        }
    }

    /** The watchlist, as compact entries: a record's boxed vector is let go as soon as it is read. */
    private record WatchlistRead(String bootstrap, InputRules rules) implements StartupRead<LiveWatchlist.Update> {
        @Override
        public List<LiveWatchlist.Update> current() {
            return List.copyOf(ControlTopicReads.current(bootstrap, Topics.WATCHLIST, ControlTopic.WATCHLIST,
                    rules, ControlTopic::watchlistEntry, (newer, old) -> newer.version() >= old.version()).values());
        }
    }

    /**
     * The latest accepted value of each key, made compact as it is read; a tombstone removes its key.
     *
     * @param replaces whether a later value of a key takes the place of the one kept
     */
    static <T extends SpecificRecord, R> Map<String, R> current(String bootstrap, String topicName, ControlTopic<T> topic,
                                                                InputRules rules, Function<T, R> compact,
                                                                BiPredicate<R, R> replaces) {
        return current(bootstrap, topicName, topic, rules, compact, replaces, System.currentTimeMillis(), (key, refused) -> {});
    }

    /**
     * As {@link #current(String, String, ControlTopic, InputRules, Function, BiPredicate)}, with the rules' clock at
     * {@code now}, handing each record the rules refuse to {@code refused} with its key (null if it has none).
     */
    static <T extends SpecificRecord, R> Map<String, R> current(String bootstrap, String topicName, ControlTopic<T> topic,
                                                                InputRules rules, Function<T, R> compact,
                                                                BiPredicate<R, R> replaces, long now,
                                                                BiConsumer<String, RecordRejected> refused) {
        AvroBytes.Reader<T> reader = new AvroBytes.Reader<>(topic.type());
        Map<String, R> latest = new LinkedHashMap<>();
        KafkaClients.forEachToEnd(bootstrap, topicName, r -> {
            try {
                ControlRecord<T> c = topic.read(reader, new Provenance(r.topic(), r.partition(), r.offset()), r.key(),
                        r.value(), rules, now);
                if (c.isTombstone()) {
                    latest.remove(c.key());
                    return;
                }
                R value = compact.apply(c.value());
                if (!latest.containsKey(c.key()) || replaces.test(value, latest.get(c.key()))) {
                    latest.put(c.key(), value);
                }
            } catch (RecordRejected e) {
                // the job dead-letters it when it reads the topic; a read here leaves it out
                refused.accept(r.key() == null ? null : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8), e);
            }
        });
        return latest;
    }
}
